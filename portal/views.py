"""The home pages: the public landing page and each user's 工作台, which gather figures from every
register below."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from campaigns.models import Campaign
from campaigns.selectors import campaign_current_public
from complaints.selectors import reply_due_for_home
from rectification.selectors import home_deadlines
from reporting.selectors import county_duty_panel, home_coverage_figures

from . import selectors


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
