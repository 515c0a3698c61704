from django.shortcuts import render

from .errors import as_domain_error


class DomainErrorMiddleware:
    """A DomainError that escapes a page view becomes a Chinese error page with its 4xx status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        error = as_domain_error(exception)  # a DomainError, or a lock held by another writer (409)
        if error is not None:
            return render(
                request,
                "error.html",
                {"status": error.status_code, "message": error.message},
                status=error.status_code,
            )
        return None
