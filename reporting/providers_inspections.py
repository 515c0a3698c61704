"""Inspection coverage (排查全覆盖): the estates under property management (物业管理小区: an
enterprise or the owners manage them) of each unit, and how many of those officers visited
(排查 or 四不两直抽查, submitted) in the period; the estates without property management
(无物业小区) on their own line, never in the ratio. Reads inspections.models only.

Each estate lies in one community, town and county, so a county's figures are the sums of its
towns' at every level (no capping, no estate counted twice)."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from communities.models import Estate, ManagementType, RegionLevel
from inspections.models import COVERAGE_KINDS, Visit, VisitStatus

from .figures import AT_BUILD, IN_PERIOD, Drill, Figure, Rate, register
from .providers_rectification import ESTATE_UNIT

GROUP = "排查覆盖"


def _estates(*params) -> Drill:
    return Drill("communities:estate-list", "/api/v1/estates/", params=tuple(params))


COVERED = (("covered_from", "{start}"), ("covered_to", "{end}"))
FIGURES = [
    Figure("estates_managed", "物业管理小区数", GROUP,
           definition="有物业服务企业或业主自治管理的住宅小区数（无物业小区另列）。", period=AT_BUILD,
           drill=_estates(("managed", "true"))),
    Figure("estates_inspected", "已排查物业管理小区数", GROUP,
           definition="报告期内至少有一次已提交的排查或“四不两直”抽查记录的物业管理小区数。", period=IN_PERIOD,
           drill=_estates(("managed", "true"), *COVERED)),
    Figure("estates_unmanaged", "无物业小区数", GROUP,
           definition="无物业管理的住宅小区数，单列，不计入排查覆盖率。", period=AT_BUILD,
           drill=_estates(("managed", "false"))),
    Figure("estates_unmanaged_inspected", "已排查无物业小区数", GROUP,
           definition="报告期内至少有一次已提交的排查或抽查记录的无物业小区数。", period=IN_PERIOD,
           drill=_estates(("managed", "false"), *COVERED)),
]
RATES = [
    Rate("coverage_rate", "排查覆盖率", ("estates_inspected",), ("estates_managed",),
         "已排查物业管理小区数 ÷ 物业管理小区数（无物业小区单列，不计入）。", group=GROUP, period=IN_PERIOD),
]




@register("inspections", FIGURES, RATES)
def inspection_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    estate_unit = ESTATE_UNIT[level]
    result: dict[int, dict] = {}
    unmanaged = Q(management_type=ManagementType.NONE)
    visited = Exists(Visit.objects.filter(
        estate_id=OuterRef("pk"), status=VisitStatus.SUBMITTED, kind__in=COVERAGE_KINDS,
        visited_on__gte=period_start, visited_on__lte=period_end,
    ))
    rows = (
        Estate.objects.filter(community__path__startswith=region.path)
        .values(estate_unit)
        .annotate(
            estates_managed=Count("pk", filter=~unmanaged),
            estates_inspected=Count("pk", filter=~unmanaged & Q(visited)),
            estates_unmanaged=Count("pk", filter=unmanaged),
            estates_unmanaged_inspected=Count("pk", filter=unmanaged & Q(visited)),
        )
        .order_by()
    )
    for row in rows:
        result[row.pop(estate_unit)] = row
    return result
