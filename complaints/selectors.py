"""Reads of the complaints app. Everything starts from Complaint.objects.visible_to(user)."""

from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from accounts.capabilities import can
from communities.models import Region
from rectification.models import Case

from . import privacy
from .filters import ComplaintFilter
from .models import IN_HANDLING, Channel, Complaint, ComplaintAttachment, ComplaintEvent, ComplaintStatus, Satisfaction


def complaint_list(*, user, filter_data=None, request=None):
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


#: the resident's view of the case, in plain words
TRACKING_STEPS = ("已受理", "核查中", "整改中", "已办结")
_CASE_STEP = {"pending_verification": 0, "verifying": 1, "rectifying": 2, "pending_closure": 2,
              "closed": 2, "not_true": 1, "withdrawn": 1}


def tracking_steps(complaint: Complaint) -> list[dict]:
    """The four steps of the tracking page with the one the complaint is at. 已办结 is reached
    when the complainant has been told (the reply is sent), not when the case is closed; a case
    found untrue skips 整改中."""
    if complaint.status == ComplaintStatus.HANDLED:
        current = 3
    elif complaint.case_id is None:
        current = 0
    else:
        current = _CASE_STEP.get(complaint.case.state, 0)
    untrue = complaint.case_id is not None and complaint.case.state == "not_true"
    steps = []
    for index, label in enumerate(TRACKING_STEPS):
        if untrue and index == 2:
            continue
        if untrue and index == 3:
            label = "已办结（经核查不属实）"
        steps.append({"label": label, "done": index < current or (index == current == 3), "current": index == current})
    return steps


def case_is_listed(complaint: Complaint) -> bool:
    """Whether the complaint's case is under listed supervision (挂牌督办, not lifted): the tracking
    page says so, with what it means."""
    if complaint.case_id is None:
        return False
    return bool(Case.objects.filter(pk=complaint.case_id).with_supervision().values_list("is_listed", flat=True).first())


def reply_due_for_home(*, user, limit: int = 8) -> dict | None:
    """待反馈 for whoever handles complaints: the oldest first, overdue ones flagged."""
    if not can(user, "complaint.handle"):
        return None
    due = Complaint.objects.visible_to(user).reply_due()
    stats = due.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(pk__in=Complaint.objects.feedback_overdue().values("pk"))))
    items = list(due.select_related("estate", "category").order_by("reply_deadline", "id")[:limit])
    return {**stats, "items": items}


REPLY_EXPORT_HEADERS = ["工单编号", "办理结果", "回复内容", "办结时间", "满意度"]


def hotline_reply_rows(*, user, start, end):
    """The 12345 work orders replied to between two dates (inclusive), in the platform's return
    format, for the county to upload its answers back."""
    replied = (
        Complaint.objects.visible_to(user)
        .filter(channel=Channel.HOTLINE_12345, status=ComplaintStatus.HANDLED, replied_at__date__gte=start,
                replied_at__date__lte=end)
        .select_related("case").order_by("replied_at", "id")
    )
    for c in replied.iterator(chunk_size=1000):
        result = "核查不属实" if c.case_id and c.case.state == "not_true" else "已办结"
        yield [c.reference, result, c.reply, c.replied_at, c.get_satisfaction_display()]


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
            c.case.complainant_count if c.case_id else "", c.reply if c.replied_at else "", c.replied_at, c.get_satisfaction_display(),
            c.rating_comment,
        ]


def complaint_statistics(*, user, queryset=None) -> dict:
    """Counts by town and by channel, computed in the database: received, handled, overdue,
    feedback overdue, ratings (不满意 included) and the satisfaction rate."""
    today = timezone.localdate()
    base = queryset if queryset is not None else Complaint.objects.visible_to(user)
    measures = {
        "total": Count("pk"),
        "handled": Count("pk", filter=Q(status=ComplaintStatus.HANDLED)),
        "overdue": Count("pk", filter=Q(status__in=IN_HANDLING, deadline__lt=today)),
        "feedback_overdue": Count("pk", filter=Q(status=ComplaintStatus.REPLY_DUE, reply_deadline__lt=today)),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        "unsatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    }

    def finish(row):
        rated = row["rated"]
        row["satisfaction_rate"] = round((row["satisfied"] + row["basically"]) * 100 / rated, 1) if rated else None
        return row

    # one pass over the complaints, grouped by town and channel; the towns, the channels and the
    # total are sums of those groups (every measure is a count). Three scans of a province's
    # 2 million complaints took 5.5 s, the one takes about as long as the slowest of them did.
    groups = list(base.values("estate__community__parent_id", "channel").annotate(**measures).order_by())
    towns: dict[int | None, dict] = {}
    channels: dict[str, dict] = {}
    total = dict.fromkeys(measures, 0)
    for group in groups:
        town, channel = group.pop("estate__community__parent_id"), group.pop("channel")
        for sums in (towns.setdefault(town, dict.fromkeys(measures, 0)),
                     channels.setdefault(channel, dict.fromkeys(measures, 0)), total):
            for key in measures:
                sums[key] += group[key]
    names = {pk: (name, county) for pk, name, county in
             Region.objects.filter(pk__in=[pk for pk in towns if pk is not None]).values_list("pk", "name", "parent__name")}
    repeated = {name for name, count in Counter(name for name, _county in names.values()).items() if count > 1}

    def town_name(pk):
        name, county = names[pk]
        return f"{name}（{county}）" if name in repeated else name  # 城关镇 is in many counties

    by_town = sorted(({**finish(sums), "name": town_name(pk) if pk is not None else "待匹配小区"}
                      for pk, sums in towns.items()), key=lambda row: (row["name"] == "待匹配小区", row["name"]))
    labels = dict(Channel.choices)
    by_channel = [{**finish(channels[channel]), "name": labels.get(channel, "")} for channel in sorted(channels)]
    return {"by_town": by_town, "by_channel": by_channel, "total": finish(total)}


STATISTICS_HEADERS = ["分组", "受理", "已办结", "办理超期", "反馈超期", "已评价", "满意", "基本满意", "不满意", "满意率（%）"]


def statistics_rows(rows):
    for r in rows:
        yield [r["name"], r["total"], r["handled"], r["overdue"], r["feedback_overdue"], r["rated"], r["satisfied"],
               r["basically"], r["unsatisfied"], r["satisfaction_rate"]]
