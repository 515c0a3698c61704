"""Reads of inspection rounds, visits, coverage, spot-check signals and the inspection ledger.
Everything starts from `visible_to(user)`; figures are aggregated in the database."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import ProblemCategory
from communities.models import Estate, ManagementType
from rectification.complainants import complainants_distinct
from rectification.models import Case, CaseEvent

from .filters import VisitFilter
from .models import (
    COVERAGE_KINDS,
    ChecklistItem,
    InspectionRound,
    LineResult,
    SpotCheckCandidate,
    SpotCheckDraw,
    Visit,
    VisitKind,
    VisitLine,
    VisitPhoto,
    VisitStatus,
)


class _Count(Func):
    """COUNT(...) that Django does not treat as an aggregate, so a correlated subquery stays
    one scalar SELECT without a GROUP BY."""

    function = "COUNT"
    output_field = IntegerField()


class _CountDistinct(_Count):
    template = "COUNT(DISTINCT %(expressions)s)"


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


# ---------------------------------------------------------------------------------------------
# Rounds and coverage


def round_list(*, user):
    """The rounds a user may see, each annotated with the estates expected and inspected within
    the user's own scope (two scalar subqueries, so the query count does not grow with rows)."""
    expected = (
        Estate.objects.visible_to(user)
        .filter(community__path__startswith=OuterRef("region__path"))
        .exclude(management_type=ManagementType.NONE)  # coverage counts estates under property management
        .order_by()
        .annotate(n=_Count("id"))
        .values("n")
    )
    inspected = (
        Visit.objects.visible_to(user)
        .filter(round_id=OuterRef("pk"), status=VisitStatus.SUBMITTED, kind__in=COVERAGE_KINDS)
        .exclude(estate__management_type=ManagementType.NONE)
        .order_by()
        .annotate(n=_CountDistinct("estate_id"))
        .values("n")
    )
    return (
        InspectionRound.objects.visible_to(user)
        .select_related("region", "campaign")
        .annotate(
            expected_count=Coalesce(Subquery(expected, output_field=IntegerField()), 0),
            inspected_count=Coalesce(Subquery(inspected, output_field=IntegerField()), 0),
        )
        .order_by("-start_date", "-id")
    )


def round_get(*, user, pk) -> InspectionRound | None:
    return InspectionRound.objects.visible_to(user).select_related("region", "campaign").filter(pk=pk).first()


def round_checklist(*, round: InspectionRound, active_only: bool = True):
    items = ChecklistItem.objects.filter(round=round).select_related("category")
    return items.filter(is_active=True) if active_only else items


def round_area_estates(*, round: InspectionRound, user):
    """The estates expected in a round, as far as this user can see them."""
    return Estate.objects.visible_to(user).filter(community__path__startswith=round.region.path)


def round_coverage(*, round: InspectionRound, user) -> dict:
    """Coverage (排查覆盖率, reporting's definition: estates under property management visited in
    the round / estates under property management) in total, per town and per community, with
    the managed estates not yet visited by name; the estates without property management
    (无物业小区) on their own line, never in the ratio. Live: from the submitted visits."""
    visited = Visit.objects.filter(
        round=round, status=VisitStatus.SUBMITTED, kind__in=COVERAGE_KINDS, estate_id=OuterRef("pk")
    )
    all_estates = round_area_estates(round=round, user=user)
    unmanaged = all_estates.filter(management_type=ManagementType.NONE).aggregate(
        n=Count("id"), visited=Count("id", filter=Q(Exists(visited))))
    estates = all_estates.exclude(management_type=ManagementType.NONE)
    rows = (
        estates.values("community_id", "community__name", "community__parent_id", "community__parent__name")
        .annotate(expected=Count("id"), inspected=Count("id", filter=Q(Exists(visited))))
        .order_by("community__path")
    )
    missing: dict[int, list[dict]] = {}
    for estate in estates.filter(~Exists(visited)).values("id", "name", "community_id").order_by("name"):
        missing.setdefault(estate["community_id"], []).append(estate)
    towns: dict[int, dict] = {}
    for row in rows:
        town = towns.setdefault(row["community__parent_id"], {
            "id": row["community__parent_id"], "name": row["community__parent__name"],
            "expected": 0, "inspected": 0, "communities": [],
        })
        town["expected"] += row["expected"]
        town["inspected"] += row["inspected"]
        town["communities"].append({
            "id": row["community_id"], "name": row["community__name"], "expected": row["expected"],
            "inspected": row["inspected"], "percent": _percent(row["inspected"], row["expected"]),
            "missing": missing.get(row["community_id"], []),
        })
    for town in towns.values():
        town["percent"] = _percent(town["inspected"], town["expected"])
    expected = sum(t["expected"] for t in towns.values())
    inspected = sum(t["inspected"] for t in towns.values())
    return {
        "expected": expected, "inspected": inspected, "percent": _percent(inspected, expected),
        "missing_count": expected - inspected, "towns": list(towns.values()),
        "unmanaged": unmanaged["n"], "unmanaged_inspected": unmanaged["visited"],
    }


def round_self_checks(*, round: InspectionRound, user) -> list[dict]:
    """Per enterprise serving estates of the round's area: estates served, estates self-checked
    (a submitted 自查 visit in this round), and whether it has not self-checked at all."""
    checked = Visit.objects.filter(
        round=round, status=VisitStatus.SUBMITTED, kind=VisitKind.SELF_CHECK, estate_id=OuterRef("pk")
    )
    rows = (
        round_area_estates(round=round, user=user)
        .filter(enterprise__isnull=False)
        .values("enterprise_id", "enterprise__name")
        .annotate(served=Count("id"), checked=Count("id", filter=Q(Exists(checked))))
        .order_by("checked", "enterprise__name")
    )
    return [
        {"id": r["enterprise_id"], "name": r["enterprise__name"], "served": r["served"], "checked": r["checked"],
         "not_started": r["checked"] == 0, "complete": r["checked"] >= r["served"]}
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# Visits


def visit_list(*, user, filter_data=None, request=None):
    queryset = (
        Visit.objects.visible_to(user)
        .select_related("estate__community__parent", "round", "created_by")
        .annotate(
            failure_count=Count("lines", filter=Q(lines__result=LineResult.FAIL)),
            case_count=Count("lines__case", distinct=True),
        )
        .order_by("-visited_on", "-id")
    )
    return VisitFilter(filter_data, queryset=queryset, request=request)


def visit_get(*, user, pk) -> Visit | None:
    return (
        Visit.objects.visible_to(user)
        .select_related("estate__community__parent", "estate__enterprise", "round__campaign", "spot_draw",
                        "created_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )


def visit_lines(*, visit: Visit, user) -> list[VisitLine]:
    """The visit's lines, each with the case opened from it only where the user may see that case
    (discipline inspection sees the visits of its region but only the corruption-clue cases)."""
    lines = list(
        VisitLine.objects.filter(visit=visit)
        .select_related("category__parent", "item", "case")
        .prefetch_related(Prefetch("photos", queryset=VisitPhoto.objects.order_by("id")))
        .annotate(case_shown=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))))
        .order_by("item__sort_order", "category__sort_order", "id")
    )
    for line in lines:
        if not line.case_shown:
            line.case = None
    return lines


def visit_entries(*, user, round: InspectionRound, kind: str):
    """Per estate of the round's area visible to the user: its latest visit of this kind (draft
    or submitted), for the self-check page and the round page's 'record a visit' list."""
    latest = Visit.objects.filter(round=round, kind=kind, estate_id=OuterRef("pk")).order_by("-status", "-id")
    return (
        round_area_estates(round=round, user=user)
        .select_related("community__parent")
        .annotate(visit_id=Subquery(latest.values("pk")[:1]), visit_status=Subquery(latest.values("status")[:1]))
        .order_by("community__path", "name")
    )


def leaf_categories():
    """The active categories a finding can be filed under: those without active sub-categories
    (A1 … A4 under A; D 小区停车难 and E 维修资金, which have none, are lines themselves)."""
    return ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True).order_by("sort_order", "code")


@dataclass(frozen=True)
class ChecklistEntry:
    """One line to fill in on the visit page: from the round's checklist, or (for a spot check
    outside any round) straight from the taxonomy."""

    category: ProblemCategory
    group_label: str
    label: str
    description: str
    item: ChecklistItem | None = None


def visit_checklist(*, round: InspectionRound | None) -> list[ChecklistEntry]:
    if round is not None:
        return [
            ChecklistEntry(category=i.category, group_label=i.group_label, label=i.label, description=i.description, item=i)
            for i in round_checklist(round=round)
        ]
    categories = leaf_categories().select_related("parent")
    return [
        ChecklistEntry(category=c, group_label=c.parent.label if c.parent_id else c.label, label=c.label, description=c.description)
        for c in categories
    ]


# ---------------------------------------------------------------------------------------------
# Spot-check signals

#: how much each signal adds to an estate's weight (every estate starts at 1, so any can be drawn)
WEIGHT_FACTORS = {"complainants": 1, "unsatisfied": 2, "overdue": 2, "reopened": 3}
SIGNAL_LABELS = {"complainants": "近期投诉人数", "unsatisfied": "不满意评价", "overdue": "超期案件", "reopened": "重新打开案件"}
WEIGHT_FORMULA = "1 + " + " + ".join(f"{SIGNAL_LABELS[k]}×{v}" for k, v in WEIGHT_FACTORS.items())

#: Complainants (rectification.complainants: distinct phone digests, each complaint without a phone as one person) and 不满意
#: ratings per estate are read from the complaints register, a sibling app that inspections does
#: not import: by model name. A missing model raises LookupError, never a quieter figure.
COMPLAINT_MODEL = "complaints.Complaint"


def _complaint_signals(*, estate_ids, since) -> dict[int, dict[str, int]]:
    complaint = apps.get_model(COMPLAINT_MODEL)
    result: dict[int, dict[str, int]] = {}
    recent = (
        complaint.objects.filter(estate_id__in=estate_ids, received_at__gte=since)
        .values("estate_id")
        .annotate(complainants=complainants_distinct("phone_hash", row_field="id"))
    )
    for row in recent:
        result.setdefault(row["estate_id"], {})["complainants"] = row["complainants"]
    unsatisfied = (
        complaint.objects.filter(estate_id__in=estate_ids, satisfaction="unsatisfied", rated_at__gte=since)
        .values("estate_id")
        .annotate(n=Count("id"))
    )
    for row in unsatisfied:
        result.setdefault(row["estate_id"], {})["unsatisfied"] = row["n"]
    return result


def spot_check_signals(*, estate_ids, today: date | None = None, window_days: int = 90) -> dict[int, dict[str, int]]:
    """The signals behind each estate's spot-check weight: complainants in the window, 不满意
    ratings, open overdue cases, and cases that were reopened (回头看 found the problem back).
    Four grouped queries whatever the number of estates."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=window_days)
    estate_ids = list(estate_ids)
    signals = {pk: dict.fromkeys(WEIGHT_FACTORS, 0) for pk in estate_ids}
    for pk, values in _complaint_signals(estate_ids=estate_ids, since=since).items():
        if pk in signals:
            signals[pk].update({k: int(v or 0) for k, v in values.items() if k in WEIGHT_FACTORS})
    overdue = Case.objects.filter(estate_id__in=estate_ids).overdue(today).values("estate_id").annotate(n=Count("id"))
    for row in overdue:
        signals[row["estate_id"]]["overdue"] = row["n"]
    reopened = (
        CaseEvent.objects.filter(case__estate_id__in=estate_ids, transition="reopen")
        .values("case__estate_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    for row in reopened:
        signals[row["case__estate_id"]]["reopened"] = row["n"]
    return signals


def spot_check_weight(signals: dict[str, int]) -> int:
    return 1 + sum(WEIGHT_FACTORS[k] * int(signals.get(k, 0)) for k in WEIGHT_FACTORS)


def draw_list(*, user):
    return (
        SpotCheckDraw.objects.visible_to(user)
        .select_related("region", "round", "drawn_by")
        .annotate(
            selected_count=Count("candidates", filter=Q(candidates__position__isnull=False), distinct=True),
            visited_count=Count("visits", filter=Q(visits__status=VisitStatus.SUBMITTED), distinct=True),
        )
        .order_by("-drawn_at", "-id")
    )


def draw_get(*, user, pk) -> SpotCheckDraw | None:
    return SpotCheckDraw.objects.visible_to(user).select_related("region", "round", "drawn_by").filter(pk=pk).first()


def draw_candidates(*, draw: SpotCheckDraw, user):
    """The draw's candidates the user can see, drawn ones first in draw order, with the latest
    spot-check visit of each."""
    latest = Visit.objects.filter(spot_draw=draw, estate_id=OuterRef("estate_id")).order_by("-status", "-id")
    return (
        SpotCheckCandidate.objects.filter(draw=draw, estate__in=Estate.objects.visible_to(user))
        .select_related("estate__community__parent")
        .annotate(visit_id=Subquery(latest.values("pk")[:1]), visit_status=Subquery(latest.values("status")[:1]))
        .order_by(F("position").asc(nulls_last=True), "-weight", "estate_id")
    )


# ---------------------------------------------------------------------------------------------
# The inspection ledger (排查台账) export

LEDGER_HEADERS = [
    "序号", "所属镇/街道", "社区", "小区", "物业服务企业", "排查日期", "排查类型", "排查人员", "问题大类", "问题类别",
    "问题描述", "整改措施", "责任人", "完成时限", "案件编号", "整改状态", "来源",
]


def ledger_lines(*, visits):
    """The failed checklist lines (one per ledger row) of the given visits that were submitted.
    `visits` is already scoped (it comes from Visit.objects.visible_to(user), filtered)."""
    return VisitLine.objects.filter(
        visit__in=visits.filter(status=VisitStatus.SUBMITTED).values("pk"), result=LineResult.FAIL
    )


def ledger_rows(lines, *, user):
    """One row per failed line; the case opened from it only where the user may see that case
    (discipline inspection sees the visits of its region but only the corruption-clue cases)."""
    queryset = lines.select_related(
        "visit__estate__community__parent", "visit__estate__enterprise", "category__parent", "case"
    ).annotate(case_shown=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id")))).order_by(
        "visit__estate__community__path", "visit__visited_on", "visit_id", "category__sort_order", "id")
    for index, line in enumerate(queryset.iterator(chunk_size=1000), start=1):
        visit, estate, case = line.visit, line.visit.estate, line.case if line.case_shown else None
        yield [
            index, estate.community.parent.name, estate.community.name, estate.name,
            estate.enterprise.name if estate.enterprise_id else "", visit.visited_on, visit.get_kind_display(),
            visit.inspectors, line.category.parent.label if line.category.parent_id else line.category.label,
            line.category.label, line.note, line.measures, line.responsible_person,
            line.deadline or (case.deadline if case else None), case.number if case else "",
            case.get_state_display() if case else "", "台账导入" if visit.is_imported else "系统录入",
        ]


LEDGER_TOTAL_HEADERS = ["问题大类", "问题类别", "问题数", "涉及小区数"]


def ledger_totals(lines) -> list[list]:
    rows = (
        lines.values("category__code", "category__label", "category__parent__label")
        .annotate(n=Count("id"), estates=Count("visit__estate", distinct=True))
        .order_by("category__sort_order", "category__code")
    )
    result = [[r["category__parent__label"] or r["category__label"], r["category__label"], r["n"], r["estates"]] for r in rows]
    result.append(["合计", "", sum(r[2] for r in result), lines.values("visit__estate").distinct().count()])
    return result
