from django.urls import reverse

from communities.models import Estate, Region, RegionLevel
from enterprises.models import Enterprise


def home_figures(*, user) -> list[tuple[str, int, str]]:
    """The few counts a user's home page opens with, all within the user's scope, each with the
    URL of its list (or ""). The estate counters by management (物业管理小区, 无物业小区) come from
    reporting's registry beside these."""
    estates = Estate.objects.visible_to(user)
    figures = [
        ("住宅小区", estates.count(), reverse("communities:estate-list")),
        ("物业服务企业", Enterprise.objects.visible_to(user).count(), reverse("enterprises:enterprise-list")),
    ]
    if not user.is_enterprise_user:
        figures.append(("社区", Region.objects.visible_to(user).filter(level=RegionLevel.COMMUNITY).count(), ""))
    return figures
