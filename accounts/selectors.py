from communities.models import Estate, Region, RegionLevel
from enterprises.models import Enterprise


def home_figures(*, user) -> list[tuple[str, int, str]]:
    """The few counts a user's home page opens with, all within the user's scope."""
    estates = Estate.objects.visible_to(user)
    figures = [
        ("住宅小区", estates.count(), "communities:estate-list"),
        ("物业服务企业", Enterprise.objects.visible_to(user).count(), "enterprises:enterprise-list"),
    ]
    if not user.is_enterprise_user:
        figures.append(("社区", Region.objects.visible_to(user).filter(level=RegionLevel.COMMUNITY).count(), ""))
        figures.append(("无物业服务企业的小区", estates.filter(enterprise__isnull=True).count(), ""))
    return figures
