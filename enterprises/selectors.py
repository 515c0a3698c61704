import csv
import io
from datetime import date as date_type

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.capabilities import can
from communities import regions
from communities.models import Estate
from core.xlsx import looks_like_formula

from .filters import EnterpriseFilter
from .models import (
    OBJECTION_LOG_KINDS,
    CreditEvent,
    Enterprise,
    Evaluation,
    ListEntry,
    ListType,
    Proposal,
)


def enterprise_list(*, user, filter_data=None, request=None):
    """Enterprises the user may see, each with the count and households of the estates it
    serves inside the user's scope (not across the whole country)."""
    visible_estates = Estate.objects.visible_to(user).values("pk")
    in_scope = Q(estates__in=visible_estates)
    queryset = (
        Enterprise.objects.visible_to(user)
        .select_related("registered_region")
        .annotate(
            estate_count=Count("estates", filter=in_scope, distinct=True),
            household_total=Sum("estates__households", filter=in_scope),
        )
        .order_by("name")
    )
    return EnterpriseFilter(filter_data, queryset=queryset, request=request)


ENTERPRISE_EXPORT_HEADERS = ["序号", "企业名称", "统一社会信用代码", "法定代表人", "联系人", "联系电话", "注册地", "服务小区数", "服务户数"]


def enterprise_export_rows(queryset):
    for index, e in enumerate(queryset, start=1):
        yield [
            index, e.name, e.credit_code, e.legal_representative, e.contact_person, e.contact_phone,
            e.registered_region.name if e.registered_region_id else "", e.estate_count, e.household_total or 0,
        ]


# ---------------------------------------------------------------------------------------------
# Credit file and red/black list


def list_status_map(enterprise_ids, day=None) -> dict[int, str]:
    """{enterprise id: "red" / "black"} for enterprises on a list entry in force on `day` (today by
    default); black wins over red. One query, for any page that shows enterprises."""
    day = day or timezone.localdate()
    result: dict[int, str] = {}
    rows = ListEntry.objects.active_on(day).filter(enterprise_id__in=list(enterprise_ids)).values_list(
        "enterprise_id", "list_type"
    )
    for enterprise_id, list_type in rows:
        if result.get(enterprise_id) != ListType.BLACK:
            result[enterprise_id] = list_type
    return result


def credit_events(*, user, enterprise_id: int):
    """The events of one enterprise's credit file that the user may see (their region's)."""
    return (
        CreditEvent.objects.visible_to(user).filter(enterprise_id=enterprise_id)
        .select_related("source_case", "estate", "recorded_by").order_by("-occurred_on", "-id")
    )


def credit_summary(*, user, enterprise_id: int) -> dict:
    """Counts and points of the events counting today, as the user may see them."""
    today = timezone.localdate()
    row = (
        CreditEvent.objects.visible_to(user).filter(enterprise_id=enterprise_id, withdrawn_at__isnull=True)
        .counting_on(today)
        .aggregate(good=Count("id", filter=Q(is_bad=False)), bad=Count("id", filter=Q(is_bad=True)), points=Sum("points"))
    )
    return {"good": row["good"], "bad": row["bad"], "points": row["points"] or 0}


def evaluation_list(*, user):
    return (
        Evaluation.objects.visible_to(user).select_related("jurisdiction")
        .annotate(
            red_count=Count("proposals", filter=Q(proposals__proposed="red")),
            black_count=Count("proposals", filter=Q(proposals__proposed="black")),
            total=Count("proposals"),
        )
        .order_by("-created_at", "-id")
    )


def evaluation_get(*, user, pk: int):
    return Evaluation.objects.visible_to(user).select_related("jurisdiction", "created_by", "published_by").filter(pk=pk).first()


def evaluation_proposals(*, user, evaluation):
    """The proposals of an evaluation for enterprises the user may see."""
    return (
        Proposal.objects.filter(evaluation=evaluation, enterprise__in=Enterprise.objects.visible_to(user).values("pk"))
        .select_related("enterprise", "decided_by").order_by("enterprise__name")
    )


def evaluation_log(*, user, evaluation):
    """The evaluation's audit trail as the user may read it: rows of enterprises the user sees
    (and of the evaluation itself), without the objections' text unless the user reads objections."""
    log = evaluation.log.filter(Q(enterprise__isnull=True) | Q(enterprise__in=Enterprise.objects.visible_to(user)))
    if not can(user, "objection.read"):
        log = log.exclude(kind__in=OBJECTION_LOG_KINDS)
    return log.select_related("actor", "enterprise").order_by("at", "id")


def public_list(*, day=None, list_type: str | None = None):
    """The published red/black list in force (public page, no login): non-personal fields only."""
    day = day or timezone.localdate()
    entries = ListEntry.objects.active_on(day).select_related("enterprise", "evaluation__jurisdiction")
    if list_type:
        entries = entries.filter(list_type=list_type)
    return entries.order_by("list_type", "-decided_on", "enterprise__name")


def public_enterprise(*, pk: int) -> dict | None:
    """The public page of an enterprise: basic registration data, estates served, list status and
    published credit events. Never contact persons, phones or anybody's name."""
    enterprise = Enterprise.objects.select_related("registered_region").filter(pk=pk).first()
    if enterprise is None:
        return None
    today = timezone.localdate()
    return {
        "enterprise": enterprise,
        "estates": Estate.objects.filter(enterprise=enterprise).select_related("community__parent").order_by("name"),
        "entries": list(ListEntry.objects.active_on(today).filter(enterprise=enterprise).select_related("evaluation")),
        "events": CreditEvent.objects.filter(enterprise=enterprise, is_published=True, withdrawn_at__isnull=True)
        .select_related("source_case").order_by("-occurred_on", "-id")[:100],
    }


CREDIT_PLATFORM_HEADERS = [
    "批次号", "统一社会信用代码", "企业名称", "名单类型", "认定事由", "认定依据", "认定单位", "决定文号", "认定日期", "有效期至",
]


def credit_platform_rows(evaluation, *, user):
    """Rows for the provincial credit-sharing platform (信用信息共享平台): the evaluation's list
    decisions, then the bad credit events of its period and jurisdiction, each as far as the
    user may see them (a county exporting its city's evaluation gets its own county's rows). The
    batch id is stable, so a re-export of the same evaluation is recognisable as the same batch."""
    batch = evaluation.batch_id
    authority = f"{evaluation.jurisdiction.full_name}物业服务专项整治工作专班"
    entries = ListEntry.objects.visible_to(user).filter(evaluation=evaluation)
    for e in entries.select_related("enterprise").order_by("list_type", "enterprise__name"):
        yield [batch, e.enterprise.credit_code, e.enterprise.name, ListType(e.list_type).label, e.reason, e.basis,
               e.authority, e.decision_number, e.decided_on, e.ended_on or e.valid_until]
    events = (
        CreditEvent.objects.visible_to(user).filter(
            region_path__startswith=evaluation.jurisdiction.path, is_bad=True, withdrawn_at__isnull=True,
            occurred_on__gte=evaluation.period_start, occurred_on__lte=evaluation.period_end,
        ).select_related("enterprise").order_by("occurred_on", "id")
    )
    for ev in events:
        yield [batch, ev.enterprise.credit_code, ev.enterprise.name, f"不良信用信息（{ev.get_kind_display()}）",
               ev.description, "《物业管理条例》及专项整治工作方案", authority, ev.decision_number, ev.occurred_on,
               ev.counts_until]


def csv_bytes(headers, rows) -> bytes:
    """UTF-8 with BOM so Excel opens it; text that looks like a formula is prefixed with a quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, date_type):
                value = value.isoformat()
            value = "" if value is None else str(value)
            out.append("'" + value if looks_like_formula(value) else value)
        writer.writerow(out)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def list_counts(*, region_path: str, day=None) -> dict[str, int]:
    """{"red": n, "black": m}: enterprises on a list entry in force on `day`, decided by an
    evaluation of the region's subtree or an ancestor of it (for the monthly workbook)."""
    day = day or timezone.localdate()
    rows = (
        ListEntry.objects.active_on(day)
        .filter(Q(evaluation__jurisdiction__path__startswith=region_path)
                | Q(evaluation__jurisdiction__path__in=regions.ancestors(region_path)))
        .values("list_type").annotate(n=Count("enterprise_id", distinct=True))
    )
    counts = {"red": 0, "black": 0}
    counts.update({row["list_type"]: row["n"] for row in rows})
    return counts
