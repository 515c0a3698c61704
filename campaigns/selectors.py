from .models import Campaign


def campaign_current_public() -> Campaign | None:
    """The campaign the public home page names: the latest active one."""
    return Campaign.objects.filter(is_active=True).select_related("region").order_by("-start_date").first()
