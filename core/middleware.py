from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    """A DomainError that escapes a page view becomes a Chinese error page with its 4xx status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "error.html",
                {"status": exception.status_code, "message": exception.message},
                status=exception.status_code,
            )
        return None
