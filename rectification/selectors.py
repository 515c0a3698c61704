"""Reads of the rectification ledger. Everything starts from Case.objects.visible_to(user)."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone

from communities.models import Estate
from core.notifications import notification_list_unread

from .filters import CaseFilter, ClueFilter
from .models import Case, CaseAttachment, CaseClue, CaseEvent, EstatePlan, PlanStatus, TypicalCase


def case_list(*, user, filter_data=None, request=None):
    """The cases a user may see, filtered; returns the FilterSet (its .qs is the rows)."""
    queryset = Case.objects.visible_to(user).for_ledger()
    return CaseFilter(filter_data, queryset=queryset, request=request)


def clue_list(*, user, filter_data=None, request=None):
    """The clues of the cases a user may see, filtered (the FilterSet; .qs is the rows)."""
    queryset = CaseClue.objects.visible_to(user).select_related(
        "case__estate__community__parent", "case__category").order_by("-received_at", "-id")
    return ClueFilter(filter_data, queryset=queryset, request=request)


def case_get(*, user, pk: int) -> Case | None:
    return Case.objects.visible_to(user).for_ledger().filter(pk=pk).first()


def case_events(*, case: Case):
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")))
        .order_by("at", "id")
    )


def home_deadlines(*, user, days: int = 3, limit: int = 10) -> dict:
    """Cases of the user's scope due within `days` days, and overdue ones (home page panel)."""
    if user.is_anonymous:
        return {"due_soon": [], "overdue": [], "overdue_count": 0, "due_soon_count": 0}
    today = timezone.localdate()
    base = Case.objects.visible_to(user).select_related("estate", "category")
    overdue = base.overdue(today).order_by("deadline", "id")
    due_soon = base.due_within(days, today).order_by("deadline", "id")
    return {
        "overdue": list(overdue[:limit]),
        "overdue_count": overdue.count(),
        "due_soon": list(due_soon[:limit]),
        "due_soon_count": due_soon.count(),
        "until": today + timedelta(days=days),
        "unread_notifications": notification_list_unread(user=user).count(),
    }


LEDGER_EXPORT_HEADERS = [
    "序号", "所属镇/街道", "社区", "小区", "物业企业", "问题类别", "问题描述", "来源", "责任单位", "责任人",
    "整改措施", "完成时限", "整改状态", "销号时间",
]


#: the ledger layout read as values, not model instances (the county workbook writes 15,000 rows);
#: pk keeps one row per case under a queryset's distinct()
_EXPORT_COLUMNS = (
    "pk", "estate__community__parent__name", "estate__community__name", "estate__name", "enterprise__name",
    "category__label", "description", "source", "responsible_unit", "responsible_person", "measures", "deadline",
    "state", "is_overdue_db", "closed_at",
)


def case_export_rows(queryset):
    """The county ledger layout, one row per case of exactly the filtered queryset."""
    if "is_overdue_db" not in queryset.query.annotations:
        queryset = queryset.with_overdue()
    states, sources = _choice_labels(Case, "state"), _choice_labels(Case, "source")
    rows = queryset.values_list(*_EXPORT_COLUMNS).iterator(chunk_size=2000)
    for index, (_pk, town, community, estate, enterprise, category, description, source, unit, person, measures,
                deadline, state, is_overdue, closed_at) in enumerate(rows, start=1):
        yield [
            index, town, community, estate, enterprise or "", category, description, sources.get(source, source),
            unit, person, measures, deadline, states.get(state, state) + ("（超期）" if is_overdue else ""), closed_at,
        ]


def _choice_labels(model, field_name: str) -> dict[str, str]:
    """What get_<field>_display() shows for each stored value (an unknown value shows itself)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def typical_case_list(*, user):
    return TypicalCase.objects.visible_to(user).select_related(
        "case__estate__community__parent", "case__category", "case__enterprise"
    )


TYPICAL_EXPORT_HEADERS = ["序号", "案例标题", "所属镇/街道", "小区", "物业企业", "问题类别", "基本案情", "违法违规情形",
                          "法律依据", "处理结果", "整改状态", "是否通报曝光"]


def typical_case_export_rows(queryset):
    for index, t in enumerate(queryset.iterator(chunk_size=500), start=1):
        case = t.case
        yield [
            index, t.title, case.estate.community.parent.name, case.estate.name,
            case.enterprise.name if case.enterprise_id else "", case.category.label, t.basic_facts, t.violation,
            t.legal_basis, t.handling_result, case.get_state_display(), t.is_published,
        ]


def estate_plans(*, user, estate_id: int):
    return EstatePlan.objects.visible_to(user).filter(estate_id=estate_id).select_related("created_by", "approved_by")


def plan_get(*, user, pk: int) -> EstatePlan | None:
    return EstatePlan.objects.visible_to(user).select_related("estate__community__parent").filter(pk=pk).first()


def public_estate_plan(*, estate_id: int) -> dict | None:
    """The public page of an estate (no login): its latest published plan and the public progress
    of its cases. Only non-personal fields leave this function, and never a corruption clue (问题
    线索 handed to discipline inspection): its existence alone would warn whoever it concerns."""
    plan = (
        EstatePlan.objects.filter(estate_id=estate_id, status=PlanStatus.PUBLISHED)
        .select_related("estate__community__parent")
        .order_by("-published_at")
        .first()
    )
    if plan is None:
        return None
    cases = (
        Case.objects.filter(estate_id=estate_id, is_corruption_clue=False)
        .exclude(state="withdrawn")
        .select_related("category")
        .order_by("-created_at")
    )
    rows = [
        {
            "number": c.number, "category": c.category.label, "state": c.get_state_display(), "state_code": c.state,
            "deadline": c.deadline, "is_overdue": c.is_overdue, "closed_at": c.closed_at, "created_at": c.created_at,
        }
        for c in cases
    ]
    estate: Estate = plan.estate
    return {"plan": plan, "estate": estate, "cases": rows}
