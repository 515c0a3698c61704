from datetime import date

from django.utils import timezone

from core.config_cache import cached, forget_on_change

from .models import Campaign, ProblemCategory

_ACTIVE_CAMPAIGNS_KEY = "campaigns:cfg:active"


def leaf_categories():
    """The active categories without active sub-categories (what a complaint is filed under), in
    display order, with their parents."""
    return (
        ProblemCategory.objects.filter(is_active=True)
        .exclude(children__is_active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )


def campaign_current_public() -> Campaign | None:
    """The campaign the public home page names: the latest active one."""
    return Campaign.objects.filter(is_active=True).select_related("region").order_by("-start_date").first()


def _active_campaigns() -> list[tuple[str, int, date, Campaign]]:
    return cached(_ACTIVE_CAMPAIGNS_KEY, lambda: [
        (c.region.path, c.region.level, c.start_date, c)
        for c in Campaign.objects.filter(is_active=True, region__isnull=False).select_related("region").order_by("pk")
    ])


def campaign_for_path(path: str, *, today: date | None = None) -> Campaign | None:
    """The campaign a clue from the community at `path` belongs to: of the active campaigns that
    have started (by `today`) and whose region contains it, the most local one, then the latest
    start, then the newest. One rule for every source of clues (complaints, the 12345 import, the
    public-revenue checks), from the cached list of active campaigns (a handful: one per
    jurisdiction running one), so a busy public form or an import asks nothing."""
    today = today or timezone.localdate()
    matching = [row for row in _active_campaigns() if path.startswith(row[0]) and row[2] <= today]
    if not matching:
        return None
    return max(matching, key=lambda row: (row[1], row[2], row[3].pk))[3]


def campaign_for(estate, *, today: date | None = None) -> Campaign | None:
    """The campaign a clue about `estate` belongs to (campaign_for_path)."""
    return campaign_for_path(estate.community.path, today=today)


forget_on_change(_ACTIVE_CAMPAIGNS_KEY, Campaign)
