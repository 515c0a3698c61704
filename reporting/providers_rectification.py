"""The rectification ledger's monthly figures (one aggregate query per table, grouped by unit)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from communities.models import Estate, RegionLevel
from rectification.filters import CATEGORY_LETTER
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

from .figures import AT_BUILD, AT_PERIOD_END, Drill, Figure, Rate, register

#: cases that are not to be rectified (not in 办结率's denominator)
NOT_TO_HANDLE = (CaseState.WITHDRAWN, CaseState.NOT_TRUE)

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

CASE_LIST = ("rectification:case-list", "/api/v1/cases/")
OPENED = (("created_from", "{start}"), ("created_to", "{end}"))
CLOSED = (("state", "closed"), ("closed_from", "{start}"), ("closed_to", "{end}"))
TRANSITION = (("transition_from", "{start}"), ("transition_to", "{end}"))
SUPERVISED = (("supervised_from", "{start}"), ("supervised_to", "{end}"))


def _clues(*sources) -> Drill:
    params = (("source_in", ",".join(sources)),) if sources else ()
    return Drill("rectification:clue-list", "/api/v1/clues/", params=(*params, ("received_from", "{start}"),
                                                                       ("received_to", "{end}")))


def _cases(*params) -> Drill:
    return Drill(*CASE_LIST, params=tuple(params))


FIGURES = [
    Figure("clues_total", "收到线索", definition="报告期内登记的问题线索数（投诉、排查、自查等各渠道，每条线索计一次，多人同诉各计一次）。",
           drill=_clues()),
    Figure("clues_complaint", "其中：投诉举报", definition="收到线索中来自投诉举报的（每件投诉一条线索）。",
           drill=_clues(ClueSource.COMPLAINT)),
    Figure("clues_inspection", "其中：排查及抽查发现", definition="收到线索中来自排查和“四不两直”抽查发现的。",
           drill=_clues(ClueSource.INSPECTION, ClueSource.SPOT_CHECK)),
    Figure("clues_self_check", "其中：企业自查", definition="收到线索中来自物业服务企业自查自纠的。",
           drill=_clues(ClueSource.SELF_CHECK)),
    Figure("clues_other", "其中：其他", definition="收到线索中来自自动核查和其他渠道的。",
           drill=_clues(ClueSource.AUTO_CHECK, ClueSource.OTHER)),
    Figure("verified_true", "核查属实", definition="报告期内核查属实（含部分属实）的案件数。",
           drill=_cases(("transition", "confirm"), *TRANSITION)),
    Figure("verified_false", "核查不属实", definition="报告期内核查不属实的案件数。",
           drill=_cases(("transition", "not_true"), *TRANSITION)),
    Figure("cases_opened", "新立案件", definition="报告期内由线索新立的案件数（每个案件由其第一条线索立案）。",
           drill=_cases(*OPENED)),
    Figure("rectifying", "整改中", definition="期末前立案、数据生成时处于整改中的案件数。", period=AT_BUILD,
           drill=_cases(("state", "rectifying"), ("created_to", "{end}"))),
    Figure("closed", "已销号", definition="报告期内销号的案件数。", drill=_cases(*CLOSED)),
    Figure("overdue", "超期未办结", definition="数据生成时未办结、完成时限早于期末次日和当日的案件数。", period=AT_BUILD,
           drill=_cases(("overdue", "true"), ("deadline_to", "{end}"), ("created_to", "{end}"))),
    *[Figure(key, label, definition=f"报告期内{label}的案件数（同一案件多次{label}计一次）。",
             drill=_cases(("supervision_kind", kind), *SUPERVISED))
      for key, label, kind in (("listed_supervision", "挂牌督办", SupervisionKind.LISTED_SUPERVISION),
                               ("interviews", "约谈", SupervisionKind.INTERVIEW),
                               ("penalties", "行政处罚", SupervisionKind.PENALTY))],
    *[
        Figure(f"group_{code}_{part}", f"{code}类{label}", group=group_label,
               definition=f"{definition}中问题类别属于{group_label}的案件数。",
               drill=_cases(("category_group", ",".join(letters)), *params))
        for code, group_label, letters in CATEGORY_GROUPS
        for part, label, definition, params in (("opened", "问题数", "新立案件", OPENED), ("closed", "已销号", "已销号", CLOSED))
    ],
    Figure("cases_to_date", "累计应办案件", group="办理成效", period=AT_PERIOD_END,
           definition="期末前立案的案件数，不含已撤回和核查不属实的（按数据生成时状态）。",
           drill=_cases(("state_in", ",".join(s for s in CaseState.values if s not in NOT_TO_HANDLE)), ("created_to", "{end}"))),
    Figure("closed_to_date", "累计销号", group="办理成效", period=AT_PERIOD_END,
           definition="期末前销号的案件数。", drill=_cases(("state", "closed"), ("closed_to", "{end}"))),
    Figure("closed_on_time_to_date", "累计按时销号", group="办理成效", period=AT_PERIOD_END,
           definition="累计销号中销号日期不晚于完成时限的案件数。",
           drill=_cases(("state", "closed"), ("closed_to", "{end}"), ("on_time", "true"))),
]

RATES = [
    Rate("closure_rate", "办结率", ("closed_to_date",), ("cases_to_date",),
         "累计销号 ÷ 累计应办案件（截至期末）。"),
    Rate("on_time_rate", "按时办结率", ("closed_on_time_to_date",), ("closed_to_date",),
         "累计按时销号 ÷ 累计销号（截至期末）。"),
]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


#: the estate's region at each level (communities are the leaves: community → town → county → city)
ESTATE_UNIT = {
    RegionLevel.COMMUNITY: "community_id",
    RegionLevel.TOWN: "community__parent_id",
    RegionLevel.COUNTY: "community__parent__parent_id",
    RegionLevel.CITY: "community__parent__parent__parent_id",
}


def _unit_lookup(prefix: str, level: int) -> str:
    return f"{prefix}estate__{ESTATE_UNIT[level]}"


def _merge(result: dict, rows, unit_key: str) -> None:
    for row in rows:
        unit_id = row.pop(unit_key)
        result.setdefault(unit_id, {}).update({k: v or 0 for k, v in row.items()})


@register("rectification", FIGURES, RATES)
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
            listed_supervision=Count("case", distinct=True, filter=Q(kind=SupervisionKind.LISTED_SUPERVISION)),
            interviews=Count("case", distinct=True, filter=Q(kind=SupervisionKind.INTERVIEW)),
            penalties=Count("case", distinct=True, filter=Q(kind=SupervisionKind.PENALTY)),
        )
        .order_by()
    )
    _merge(result, supervision, unit)

    unit = _unit_lookup("", level)
    opened_in = Q(created_at__gte=start, created_at__lt=end)
    closed_in = Q(state=CaseState.CLOSED, closed_at__gte=start, closed_at__lt=end)
    closed_by_end = Q(state=CaseState.CLOSED, closed_at__lt=end)
    cases = (
        Case.objects.filter(region_path__startswith=region.path, created_at__lt=end)
        .values(unit)
        .annotate(
            cases_opened=Count("pk", filter=opened_in),
            cases_to_date=Count("pk", filter=~Q(state__in=NOT_TO_HANDLE)),
            closed_to_date=Count("pk", filter=closed_by_end),
            closed_on_time_to_date=Count("pk", filter=closed_by_end & Q(deadline__isnull=False,
                                                                        closed_at__date__lte=F("deadline"))),
            rectifying=Count("pk", filter=Q(state=CaseState.RECTIFYING)),
            closed=Count("pk", filter=closed_in),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=overdue_before)),
        )
        .order_by()
    )
    _merge(result, cases, unit)

    groups = (
        Case.objects.filter(region_path__startswith=region.path, created_at__lt=end)
        .annotate(group=CATEGORY_LETTER)
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
    Figure("cases_opened", "本月新增问题", group="整改进度", definition="本月新立的该企业案件数。", drill=_cases(*OPENED)),
    Figure("open", "在办问题", group="整改进度", period=AT_BUILD, definition="月末前立案、数据生成时未办结的案件数。",
           drill=_cases(("state_in", ",".join(OPEN_STATES)), ("created_to", "{end}"))),
    Figure("rectifying", "整改中", group="整改进度", period=AT_BUILD, definition="月末前立案、数据生成时整改中的案件数。",
           drill=_cases(("state", "rectifying"), ("created_to", "{end}"))),
    Figure("closed", "本月销号", group="整改进度", definition="本月销号的案件数。", drill=_cases(*CLOSED)),
    Figure("overdue", "超期未办结", group="整改进度", period=AT_BUILD,
           definition="数据生成时未办结、完成时限早于月末次日和当日的案件数。",
           drill=_cases(("overdue", "true"), ("deadline_to", "{end}"), ("created_to", "{end}"))),
]


def enterprise_estate_figures(enterprise_id: int, county, period_start: date, period_end: date) -> list[dict]:
    """[{"estate_id", "name", "figures"}] for each estate of the enterprise's cases in the county
    and each estate it serves there (zeros when it has no cases): two queries, whatever the rows."""
    start, end = _bounds(period_start, period_end)
    overdue_before = min(period_end + timedelta(days=1), timezone.localdate())
    zero = {f.key: 0 for f in ENTERPRISE_FIGURES}
    estates = {
        pk: {"estate_id": pk, "name": name, "figures": dict(zero)}
        for pk, name in Estate.objects.filter(enterprise_id=enterprise_id, community__path__startswith=county.path)
        .order_by("community__path", "name").values_list("pk", "name")
    }
    rows = (
        Case.objects.of_enterprises().filter(enterprise_id=enterprise_id, region_path__startswith=county.path,
                                             created_at__lt=end)
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
