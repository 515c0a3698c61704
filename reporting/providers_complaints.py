"""Complaint figures (投诉受理): complaints received by channel, and complainant satisfaction of the
period. Reads complaints.models only; complaints not yet matched to an estate have no town and
are not counted here."""

from datetime import date

from django.db.models import Count, Q

from communities.models import RegionLevel
from complaints.models import RETURN_CALL_CHANNELS, Channel, Complaint, RatingSource, Satisfaction

from .figures import IN_PERIOD, Drill, Figure, Rate, register
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

RECEIVED = (("matched", "true"), ("received_from", "{start}"), ("received_to", "{end}"))
RATED = (("matched", "true"), ("rated_from", "{start}"), ("rated_to", "{end}"))
NAMED = ",".join(c for _key, _label, channels in CHANNEL_GROUPS for c in channels)
CALLED_BACK = ",".join(sorted(RETURN_CALL_CHANNELS))
REPLIED = (("matched", "true"), ("replied_from", "{start}"), ("replied_to", "{end}"))


def _complaints(*params) -> Drill:
    return Drill("complaints:list", "/api/v1/complaints/", params=tuple(params))


FIGURES = [
    Figure("complaints_total", "受理投诉", GROUP, definition="报告期内受理、已对应到小区的投诉举报件数（各渠道合计）。",
           drill=_complaints(*RECEIVED)),
    *[Figure(key, label, GROUP, definition=f"受理投诉中来自{label}的件数。",
             drill=_complaints(("channel_in", ",".join(channels)), *RECEIVED))
      for key, label, channels in CHANNEL_GROUPS],
    Figure("complaints_other_channels", "其他渠道", GROUP, definition="受理投诉中来自以上渠道以外（现场、来电来信等）的件数。",
           drill=_complaints(("channel_not_in", NAMED), *RECEIVED)),
    *[Figure(f"satisfaction_{value}", f"评价{label}", GROUP, definition=f"报告期内投诉人（含回访）评价为{label}的件数。",
             drill=_complaints(("satisfaction", value), *RATED))
      for value, label in (("satisfied", "满意"), ("basically", "基本满意"), ("unsatisfied", "不满意"))],
    Figure("complaints_replied", "反馈办理结果", GROUP, definition="报告期内向投诉人反馈办理结果的件数。",
           drill=_complaints(*REPLIED)),
    Figure("complaints_replied_call_back", "应回访", GROUP,
           definition="报告期内反馈办理结果、投诉人不使用查询页（12345、信访、电话等渠道）因而应由工作人员回访的件数。",
           drill=_complaints(("channel_in", CALLED_BACK), *REPLIED)),
    Figure("complaints_called_back", "已回访", GROUP,
           definition="应回访的投诉中，截至数据生成时已登记回访评价的件数。",
           drill=_complaints(("channel_in", CALLED_BACK), ("rating_source", RatingSource.RETURN_CALL.value), *REPLIED)),
]

RATES = [
    Rate("satisfaction_rate", "满意率",
         ("satisfaction_satisfied", "satisfaction_basically"),
         ("satisfaction_satisfied", "satisfaction_basically", "satisfaction_unsatisfied"),
         "报告期内（评价满意 + 评价基本满意）÷ 评价总数。", group=GROUP, period=IN_PERIOD),
    Rate("return_call_rate", "回访率", ("complaints_called_back",), ("complaints_replied_call_back",),
         "报告期内反馈的应回访投诉中已回访的 ÷ 应回访件数（回访评价与投诉人自评同样计入满意率）。", group=GROUP,
         period=IN_PERIOD),
]


@register("complaints", FIGURES, RATES)
def complaint_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    start, end = _bounds(period_start, period_end)
    unit = _unit_lookup("", level)
    named = [c for _key, _label, channels in CHANNEL_GROUPS for c in channels]
    received = Q(received_at__gte=start, received_at__lt=end)
    rated = Q(rated_at__gte=start, rated_at__lt=end)
    replied = Q(replied_at__gte=start, replied_at__lt=end)
    rows = (
        Complaint.objects.filter(region_path__startswith=region.path, estate__isnull=False)
        .filter(received | rated | replied)
        .values(unit)
        .annotate(
            complaints_total=Count("pk", filter=received),
            **{key: Count("pk", filter=received & Q(channel__in=channels)) for key, _label, channels in CHANNEL_GROUPS},
            complaints_other_channels=Count("pk", filter=received & ~Q(channel__in=named)),
            satisfaction_satisfied=Count("pk", filter=rated & Q(satisfaction=Satisfaction.SATISFIED)),
            satisfaction_basically=Count("pk", filter=rated & Q(satisfaction=Satisfaction.BASICALLY)),
            satisfaction_unsatisfied=Count("pk", filter=rated & Q(satisfaction=Satisfaction.UNSATISFIED)),
            complaints_replied=Count("pk", filter=replied),
            complaints_replied_call_back=Count("pk", filter=replied & Q(channel__in=RETURN_CALL_CHANNELS)),
            complaints_called_back=Count("pk", filter=replied & Q(channel__in=RETURN_CALL_CHANNELS,
                                                                  rating_source=RatingSource.RETURN_CALL)),
        )
        .order_by()
    )
    return {row.pop(unit): row for row in rows}
