"""Reads of the complaints app. Everything starts from Complaint.objects.visible_to(user)."""

from django.db.models import Count, Q

from . import privacy
from .models import Complaint, ComplaintAttachment, ComplaintEvent, Satisfaction


def complaint_list(*, user, filter_data=None, request=None):
    from .filters import ComplaintFilter

    queryset = Complaint.objects.visible_to(user).for_list()
    return ComplaintFilter(filter_data, queryset=queryset, request=request)


def complaint_get(*, user, pk: int) -> Complaint | None:
    return Complaint.objects.visible_to(user).for_list().select_related("replied_by", "created_by").filter(pk=pk).first()


def complaint_events(*, complaint: Complaint):
    return ComplaintEvent.objects.filter(complaint=complaint).select_related("actor").order_by("at", "id")


def complaint_public_events(*, complaint: Complaint):
    return ComplaintEvent.objects.filter(complaint=complaint, is_public=True).order_by("at", "id")


def attachment_get(*, user, pk: int) -> ComplaintAttachment | None:
    return ComplaintAttachment.objects.filter(pk=pk, complaint__in=Complaint.objects.visible_to(user)).first()


def case_complaints(*, user, case_id: int):
    return Complaint.objects.visible_to(user).filter(case_id=case_id).select_related("category").order_by("received_at")


def satisfaction_summary(queryset) -> dict:
    """Counts for the list header and statistics, computed in the database."""
    stats = queryset.aggregate(
        total=Count("pk"),
        rated=Count("pk", filter=~Q(satisfaction="")),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )
    rated = stats["rated"]
    stats["satisfaction_rate"] = round((stats["satisfied"] + stats["basically"]) * 100 / rated, 1) if rated else None
    return stats


EXPORT_HEADERS = [
    "序号", "查询码", "受理渠道", "渠道编号", "受理时间", "所属镇/街道", "社区", "小区", "问题类别", "诉求内容",
    "投诉人", "联系电话", "办理时限", "办理状态", "是否超期", "所属案件", "同案投诉人数", "答复内容", "反馈时间",
    "满意度", "评价意见",
]


def complaint_export_rows(queryset, *, user):
    """One row per complaint of exactly the filtered queryset; names and phones as this user may
    see them (in full for the roles that handle complaints, masked for everyone else)."""
    for index, c in enumerate(queryset.iterator(chunk_size=1000), start=1):
        who = privacy.complainant_display(c, user)
        estate = c.estate
        yield [
            index, c.tracking_code, c.get_channel_display(), c.reference, c.received_at,
            estate.community.parent.name if estate else c.raw_region, estate.community.name if estate else "",
            estate.name if estate else f"（待匹配）{c.raw_estate}", c.category.label, c.description, who["name"],
            who["phone"], c.deadline, c.get_status_display(), c.is_overdue, c.case.number if c.case_id else "",
            c.case.complainant_count if c.case_id else "", c.reply, c.replied_at, c.get_satisfaction_display(),
            c.rating_comment,
        ]


def complaint_statistics(*, user, queryset=None) -> dict:
    """Counts by town and by channel, computed in the database: received, handled, overdue,
    feedback overdue, ratings (不满意 included) and the satisfaction rate."""
    from django.utils import timezone

    from .models import Channel, ComplaintStatus

    today = timezone.localdate()
    base = queryset if queryset is not None else Complaint.objects.visible_to(user)
    measures = {
        "total": Count("pk"),
        "handled": Count("pk", filter=Q(status=ComplaintStatus.HANDLED)),
        "overdue": Count("pk", filter=~Q(status=ComplaintStatus.HANDLED) & Q(deadline__lt=today)),
        "feedback_overdue": Count("pk", filter=Q(replied_at__isnull=True, deadline__lt=today,
                                                 case__state__in=("closed", "not_true", "withdrawn"))),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        "unsatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    }

    def finish(row):
        rated = row["rated"]
        row["satisfaction_rate"] = round((row["satisfied"] + row["basically"]) * 100 / rated, 1) if rated else None
        return row

    by_town = [finish(r) for r in base.values("estate__community__parent__name").annotate(**measures)
               .order_by("estate__community__parent__name")]
    for row in by_town:
        row["name"] = row.pop("estate__community__parent__name") or "待匹配小区"
    labels = dict(Channel.choices)
    by_channel = [finish(r) for r in base.values("channel").annotate(**measures).order_by("channel")]
    for row in by_channel:
        row["name"] = labels.get(row.pop("channel"), "")
    return {"by_town": by_town, "by_channel": by_channel, "total": finish(base.aggregate(**measures))}


STATISTICS_HEADERS = ["分组", "受理", "已办结", "办理超期", "反馈超期", "已评价", "满意", "基本满意", "不满意", "满意率（%）"]


def statistics_rows(rows):
    for r in rows:
        yield [r["name"], r["total"], r["handled"], r["overdue"], r["feedback_overdue"], r["rated"], r["satisfied"],
               r["basically"], r["unsatisfied"], r["satisfaction_rate"]]
