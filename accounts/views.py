from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError

from . import services
from .capabilities import require
from .forms import PasswordChangeForm, UserForm
from .roles import Role
from .user_scope import roles_assignable_by, users_managed_by


def lockout_response(request, original_response=None, credentials=None):
    message = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试或联系系统管理员。"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "error.html", {"status": 429, "message": message}, status=429)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码错误，请重新输入（密码区分大小写）。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


# ---------------------------------------------------------------------------------------------
# One's own password


@login_required
def password_change(request):
    """修改密码: every user, in the product's own pages. The other sessions end with the old
    password hash; this one is kept (update_session_auth_hash)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
            except DomainError as exc:
                form.add_error("new_password1", exc.message)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改，其他设备上的登录已退出。")
                return redirect("accounts:home")
        status = 400
    forced = request.user.must_change_password
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced}, status=status)


# ---------------------------------------------------------------------------------------------
# The users a county (or the city) runs


def _managed_or_404(request, pk: int):
    require(request.user, "user.manage")
    return get_object_or_404(users_managed_by(request.user).select_related("region__parent", "enterprise"), pk=pk)


@login_required
def user_list(request):
    require(request.user, "user.manage")
    users = users_managed_by(request.user).select_related("region__parent", "enterprise").order_by(
        "-is_active", "region__path", "role", "username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(phone__icontains=q))
    role = request.GET.get("role", "")
    if role in roles_assignable_by(request.user):
        users = users.filter(role=role)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    roles = [(r, Role(r).label) for r in roles_assignable_by(request.user)]
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "role": role, "roles": roles})


def _form_values(form) -> dict:
    data = form.cleaned_data
    return {"role": data["role"], "region": data.get("region"), "enterprise": data.get("enterprise"),
            "full_name": data["full_name"], "phone": data.get("phone", "")}


@login_required
def user_create(request):
    require(request.user, "user.manage")
    form = UserForm(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user, password = services.user_create(actor=request.user, username=form.cleaned_data["username"],
                                                      **_form_values(form))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return _password_shown(request, user, password, created=True)
        status = 400
    return render(request, "accounts/user_form.html", {"form": form, "creating": True}, status=status)


@login_required
def user_detail(request, pk: int):
    managed = _managed_or_404(request, pk)
    initial = {"username": managed.username, "full_name": managed.first_name, "phone": managed.phone,
               "role": managed.role, "region": managed.region, "enterprise": managed.enterprise}
    form = UserForm(request.user, request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_reassign(actor=request.user, user_id=managed.pk, **_form_values(form))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已保存用户“{managed.username}”的角色与范围。")
                return redirect("accounts:user-detail", pk=managed.pk)
        status = 400
    events = managed.events.select_related("actor").order_by("-at", "-id")[:50]
    return render(request, "accounts/user_form.html", {"form": form, "managed": managed, "events": events},
                  status=status)


@login_required
@require_POST
def user_set_active(request, pk: int):
    managed = _managed_or_404(request, pk)
    active = request.POST.get("active") == "1"
    services.user_set_active(actor=request.user, user_id=managed.pk, active=active,
                             reason=request.POST.get("reason", ""))
    messages.success(request, f"已{'启用' if active else '停用'}用户“{managed.username}”。")
    return redirect("accounts:user-detail", pk=managed.pk)


@login_required
@require_POST
def user_password_reset(request, pk: int):
    managed = _managed_or_404(request, pk)
    user, password = services.user_password_reset(actor=request.user, user_id=managed.pk)
    return _password_shown(request, user, password, created=False)


def _password_shown(request, user, password: str, *, created: bool):
    """The one-time password, in this response only (never stored, never in the session, not
    cached by the browser)."""
    response = render(request, "accounts/user_password_shown.html",
                      {"managed": user, "password": password, "created": created})
    response["Cache-Control"] = "no-store"
    return response
