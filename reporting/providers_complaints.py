"""Complaint figures (投诉受理): complaints received by channel, and complainant satisfaction of the
period. Reads complaints.models only; complaints not yet matched to an estate have no town and
are not counted here."""

from datetime import date

from django.db.models import Count, Q

from communities.models import RegionLevel
from complaints.models import Channel, Complaint, Satisfaction

from .figures import Figure, register
from .providers_rectification import _bounds, _unit_lookup

CHANNEL_GROUPS = [
    ("complaints_12345", "12345热线", [Channel.HOTLINE_12345]),
    ("complaints_petition", "信访件", [Channel.PETITION]),
    ("complaints_livelihood", "民生热线", [Channel.LIVELIHOOD_HOTLINE]),
    ("complaints_online_opinion", "网络舆情", [Channel.ONLINE_OPINION]),
    ("complaints_huashuo", "话说物业平台", [Channel.HUASHUO]),
    ("complaints_qr_form", "扫码及网上投诉", [Channel.QR_CODE, Channel.PUBLIC_FORM]),
]
GROUP = "投诉渠道及满意度"

FIGURES = [
    Figure("complaints_total", "受理投诉", GROUP),
    *[Figure(key, label, GROUP) for key, label, _ in CHANNEL_GROUPS],
    Figure("complaints_other_channels", "其他渠道", GROUP),
    Figure("satisfaction_satisfied", "评价满意", GROUP),
    Figure("satisfaction_basically", "评价基本满意", GROUP),
    Figure("satisfaction_unsatisfied", "评价不满意", GROUP),
]


@register("complaints", FIGURES)
def complaint_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    start, end = _bounds(period_start, period_end)
    unit = _unit_lookup("", level)
    named = [c for _key, _label, channels in CHANNEL_GROUPS for c in channels]
    received = Q(received_at__gte=start, received_at__lt=end)
    rated = Q(rated_at__gte=start, rated_at__lt=end)
    rows = (
        Complaint.objects.filter(region_path__startswith=region.path, estate__isnull=False)
        .filter(received | rated)
        .values(unit)
        .annotate(
            complaints_total=Count("pk", filter=received),
            **{key: Count("pk", filter=received & Q(channel__in=channels)) for key, _label, channels in CHANNEL_GROUPS},
            complaints_other_channels=Count("pk", filter=received & ~Q(channel__in=named)),
            satisfaction_satisfied=Count("pk", filter=rated & Q(satisfaction=Satisfaction.SATISFIED)),
            satisfaction_basically=Count("pk", filter=rated & Q(satisfaction=Satisfaction.BASICALLY)),
            satisfaction_unsatisfied=Count("pk", filter=rated & Q(satisfaction=Satisfaction.UNSATISFIED)),
        )
        .order_by()
    )
    return {row.pop(unit): row for row in rows}
