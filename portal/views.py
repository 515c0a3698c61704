"""The home pages: the public landing page and each user's 工作台, which gather figures from every
register below."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

from accounts.roles import Role
from campaigns.models import Campaign
from campaigns.selectors import campaign_current_public
from complaints.selectors import reply_due_for_home
from rectification.selectors import home_deadlines
from rectification.terms import PUBLIC_TERMS
from reporting.selectors import county_duty_panel, home_coverage_figures

from . import helptext, selectors


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


@login_required
def help_page(request):
    """帮助: what the user's role does each day and each month; the other roles' pages below, folded,
    so an officer can see what the county, the towns or the enterprises are asked to do."""
    own = helptext.help_for(request.user.role)
    others = [entry for role, entry in helptext.HELP.items() if role != own.role and role != Role.SYSADMIN]
    return render(request, "portal/help.html", {
        "own": own, "others": others, "terms": PUBLIC_TERMS})


def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's <link rel=icon>: send them to the static one."""
    return redirect(static("favicon.ico"), permanent=True)
