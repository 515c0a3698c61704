"""A user whose password was reset (a one-time password) goes to the password change page until
they have changed it; the API answers 403 with the same message meanwhile."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

MESSAGE = "请先修改初始密码（管理员重置或新建账号后，首次登录须修改密码）。"


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("accounts:password-change"), reverse("accounts:logout"), settings.STATIC_URL)
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": MESSAGE}, status=403)
                return redirect(f"{reverse('accounts:password-change')}?forced=1")
        return self.get_response(request)
