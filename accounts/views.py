from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render

from campaigns.models import Campaign
from campaigns.selectors import campaign_current_public
from complaints.selectors import reply_due_for_home
from rectification.selectors import home_deadlines
from reporting.selectors import county_duty_panel, home_coverage_figures

from . import selectors


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


def public_home(request):
    """Public landing page (no login): names the campaign and links to the complaint form."""
    return render(request, "public_home.html", {"campaign": campaign_current_public()})


@login_required
def home(request):
    user = request.user
    context = {
        # (label, value, URL): the scope's registers, then the registry's estate counters
        "figures": selectors.home_figures(user=user) + home_coverage_figures(user=user),
        "campaigns": Campaign.objects.visible_to(user).filter(is_active=True).prefetch_related("stages")[:3],
        "deadlines": home_deadlines(user=user),
        "reply_due": reply_due_for_home(user=user),
        **county_duty_panel(user=user),
    }
    return render(request, "accounts/home.html", context)
