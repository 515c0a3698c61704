"""The rectification ledger's monthly figures (one aggregate query per table, grouped by unit)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from communities.models import RegionLevel
from rectification.models import (
    OPEN_STATES,
    Case,
    CaseClue,
    CaseEvent,
    CaseState,
    ClueSource,
    SupervisionAction,
    SupervisionKind,
)

from .figures import Figure, register

#: statistics columns by category group; G also holds the 盘锦 subjects the taxonomy splits into
#: G (建设单位), H (业委会) and J (政府部门及镇、社区自查)
CATEGORY_GROUPS = [
    ("A", "A 履约不到位", ("A",)),
    ("B", "B 侵占公共收益", ("B",)),
    ("C", "C 老旧电梯", ("C",)),
    ("D", "D 停车难", ("D",)),
    ("E", "E 专项维修资金", ("E",)),
    ("F", "F 其他问题", ("F",)),
    ("G", "G 建设单位、业委会及自查", ("G", "H", "J")),
]

FIGURES = [
    Figure("clues_total", "收到线索"),
    Figure("clues_complaint", "其中：投诉举报"),
    Figure("clues_inspection", "其中：排查及抽查发现"),
    Figure("clues_self_check", "其中：企业自查"),
    Figure("clues_other", "其中：其他"),
    Figure("verified_true", "核查属实"),
    Figure("verified_false", "核查不属实"),
    Figure("cases_opened", "新立案件"),
    Figure("rectifying", "整改中"),
    Figure("closed", "已销号"),
    Figure("overdue", "超期未办结"),
    Figure("listed_supervision", "挂牌督办"),
    Figure("interviews", "约谈"),
    Figure("penalties", "行政处罚"),
    *[
        Figure(f"group_{code}_{part}", f"{code}类{label}", group=group_label)
        for code, group_label, _ in CATEGORY_GROUPS
        for part, label in (("opened", "问题数"), ("closed", "已销号"))
    ],
]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def _unit_lookup(prefix: str, level: int) -> str:
    return f"{prefix}estate__community__parent_id" if level == RegionLevel.TOWN else f"{prefix}estate__community_id"


def _merge(result: dict, rows, unit_key: str) -> None:
    for row in rows:
        unit_id = row.pop(unit_key)
        result.setdefault(unit_id, {}).update({k: v or 0 for k, v in row.items()})


@register("rectification", FIGURES)
def rectification_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    start, end = _bounds(period_start, period_end)
    overdue_before = min(period_end + timedelta(days=1), timezone.localdate())
    result: dict[int, dict] = {}

    unit = _unit_lookup("case__", level)
    clues = (
        CaseClue.objects.filter(case__region_path__startswith=region.path, received_at__gte=start, received_at__lt=end)
        .values(unit)
        .annotate(
            clues_total=Count("pk"),
            clues_complaint=Count("pk", filter=Q(source=ClueSource.COMPLAINT)),
            clues_inspection=Count("pk", filter=Q(source__in=[ClueSource.INSPECTION, ClueSource.SPOT_CHECK])),
            clues_self_check=Count("pk", filter=Q(source=ClueSource.SELF_CHECK)),
            clues_other=Count("pk", filter=Q(source__in=[ClueSource.AUTO_CHECK, ClueSource.OTHER])),
        )
        .order_by()
    )
    _merge(result, clues, unit)

    verified = (
        CaseEvent.objects.filter(case__region_path__startswith=region.path, at__gte=start, at__lt=end,
                                 transition__in=["confirm", "not_true"])
        .values(unit)
        .annotate(
            verified_true=Count("case", filter=Q(transition="confirm"), distinct=True),
            verified_false=Count("case", filter=Q(transition="not_true"), distinct=True),
        )
        .order_by()
    )
    _merge(result, verified, unit)

    supervision = (
        SupervisionAction.objects.filter(
            case__region_path__startswith=region.path, occurred_on__gte=period_start, occurred_on__lte=period_end
        )
        .values(unit)
        .annotate(
            listed_supervision=Count("pk", filter=Q(kind=SupervisionKind.LISTED_SUPERVISION)),
            interviews=Count("pk", filter=Q(kind=SupervisionKind.INTERVIEW)),
            penalties=Count("pk", filter=Q(kind=SupervisionKind.PENALTY)),
        )
        .order_by()
    )
    _merge(result, supervision, unit)

    unit = _unit_lookup("", level)
    opened_in = Q(created_at__gte=start, created_at__lt=end)
    closed_in = Q(state=CaseState.CLOSED, closed_at__gte=start, closed_at__lt=end)
    cases = (
        Case.objects.filter(region_path__startswith=region.path, created_at__lt=end)
        .values(unit)
        .annotate(
            cases_opened=Count("pk", filter=opened_in),
            rectifying=Count("pk", filter=Q(state=CaseState.RECTIFYING)),
            closed=Count("pk", filter=closed_in),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=overdue_before)),
        )
        .order_by()
    )
    _merge(result, cases, unit)

    groups = (
        Case.objects.filter(region_path__startswith=region.path, created_at__lt=end)
        .annotate(group=Substr(Coalesce(F("category__parent__code"), F("category__code")), 1, 1))
        .values(unit, "group")
        .annotate(opened=Count("pk", filter=opened_in), closed=Count("pk", filter=closed_in))
        .order_by()
    )
    column_of = {letter: code for code, _label, letters in CATEGORY_GROUPS for letter in letters}
    for row in groups:
        code = column_of.get(row["group"])
        if code is None:
            continue
        figures = result.setdefault(row[unit], {})
        figures[f"group_{code}_opened"] = figures.get(f"group_{code}_opened", 0) + row["opened"]
        figures[f"group_{code}_closed"] = figures.get(f"group_{code}_closed", 0) + row["closed"]
    return result


def penalty_amount(region, period_start: date, period_end: date):
    """罚款金额 of the period (shown on the 说明 sheet)."""
    return SupervisionAction.objects.filter(
        case__region_path__startswith=region.path, kind=SupervisionKind.PENALTY,
        occurred_on__gte=period_start, occurred_on__lte=period_end,
    ).aggregate(total=Sum("amount"))["total"]


#: the enterprise monthly report's figures, per estate (not a registered provider: they are by
#: enterprise and estate, not by unit)
ENTERPRISE_FIGURES = [
    Figure("cases_opened", "本月新增问题", group="整改进度"),
    Figure("open", "在办问题", group="整改进度"),
    Figure("rectifying", "整改中", group="整改进度"),
    Figure("closed", "本月销号", group="整改进度"),
    Figure("overdue", "超期未办结", group="整改进度"),
]


def enterprise_estate_figures(enterprise_id: int, county, period_start: date, period_end: date) -> list[dict]:
    """[{"estate_id", "name", "figures"}] for each estate of the enterprise's cases in the county
    and each estate it serves there (zeros when it has no cases): two queries, whatever the rows."""
    from communities.models import Estate

    start, end = _bounds(period_start, period_end)
    overdue_before = min(period_end + timedelta(days=1), timezone.localdate())
    zero = {f.key: 0 for f in ENTERPRISE_FIGURES}
    estates = {
        pk: {"estate_id": pk, "name": name, "figures": dict(zero)}
        for pk, name in Estate.objects.filter(enterprise_id=enterprise_id, community__path__startswith=county.path)
        .order_by("community__path", "name").values_list("pk", "name")
    }
    rows = (
        Case.objects.filter(enterprise_id=enterprise_id, region_path__startswith=county.path, created_at__lt=end)
        .values("estate_id", "estate__name")
        .annotate(
            cases_opened=Count("pk", filter=Q(created_at__gte=start)),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
            rectifying=Count("pk", filter=Q(state=CaseState.RECTIFYING)),
            closed=Count("pk", filter=Q(state=CaseState.CLOSED, closed_at__gte=start, closed_at__lt=end)),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=overdue_before)),
        )
        .order_by("estate__community__path", "estate__name")
    )
    for row in rows:
        entry = estates.setdefault(row["estate_id"], {"estate_id": row["estate_id"], "name": row["estate__name"],
                                                      "figures": dict(zero)})
        entry["figures"].update({key: row[key] or 0 for key in zero})
    return list(estates.values())
