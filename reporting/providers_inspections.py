"""Inspection coverage (排查全覆盖): estates of each unit, and how many of them officers visited
(排查 or 四不两直抽查, submitted) in the period. Reads inspections.models only."""

from datetime import date

from django.db.models import Count, Q

from communities.models import Estate, ManagementType, RegionLevel
from inspections.models import COVERAGE_KINDS, Visit, VisitStatus

from .figures import Figure, register

GROUP = "排查覆盖"
FIGURES = [
    Figure("estates_managed", "物业管理小区数", GROUP),
    Figure("estates_inspected", "本期已排查小区数", GROUP),
]


#: the estate's region at each level (communities are the leaves: community → town → county → city)
ESTATE_UNIT = {
    RegionLevel.COMMUNITY: "community_id",
    RegionLevel.TOWN: "community__parent_id",
    RegionLevel.COUNTY: "community__parent__parent_id",
    RegionLevel.CITY: "community__parent__parent__parent_id",
}


@register("inspections", FIGURES)
def inspection_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    estate_unit = ESTATE_UNIT[level]
    result: dict[int, dict] = {}
    estates = (
        Estate.objects.filter(community__path__startswith=region.path)
        .exclude(management_type=ManagementType.NONE)
        .values(estate_unit).annotate(estates_managed=Count("pk")).order_by()
    )
    for row in estates:
        result.setdefault(row[estate_unit], {})["estates_managed"] = row["estates_managed"]
    visit_unit = f"estate__{estate_unit}"
    visits = (
        Visit.objects.filter(
            Q(estate__community__path__startswith=region.path), status=VisitStatus.SUBMITTED, kind__in=COVERAGE_KINDS,
            visited_on__gte=period_start, visited_on__lte=period_end,
        )
        .values(visit_unit).annotate(estates_inspected=Count("estate", distinct=True)).order_by()
    )
    for row in visits:
        result.setdefault(row[visit_unit], {})["estates_inspected"] = row["estates_inspected"]
    return result
