"""Coverage of owners' committees, property management and party organisations (盘锦: 业主大会、
业委会（物业管理委员会）和物业管理动态覆盖率始终达到95%以上; 钟山: 党组织覆盖率力争达到85%以上),
against each plan's target stored per region (subjects.CoverageTarget). Reads subjects.models and
the estates' owners' body columns, which subjects.services keeps equal to the committee register.

Denominators, as the plans write them:
- 盘锦 业委会（物管会）覆盖率 and 物业管理覆盖率: over all residential estates (住宅小区).
- 钟山 党组织覆盖率: over the committees (业委会、物管会) — "符合条件建立党组织的业主委员会（物业管理
  委员会）应建尽建，力争覆盖率达到85%以上"; offered also over all estates, which differs wherever an
  estate has no committee.
Every figure is a count of a list that its Drill opens (the uncovered estates or committees too)."""

from datetime import date

from django.db.models import Count, Q

from communities.models import Estate, OwnersBodyStatus, RegionLevel
from subjects.models import CoverageFigure, OwnersCommittee

from .figures import AT_BUILD, Drill, Figure, Rate, register
from .providers_rectification import ESTATE_UNIT

GROUP = "业委会、物业管理、党组织覆盖"
COMMITTEE_STATUSES = (OwnersBodyStatus.COMMITTEE, OwnersBodyStatus.MANAGEMENT_COMMITTEE)


def _estates(*params) -> Drill:
    return Drill("communities:estate-list", "/api/v1/estates/", params=tuple(params))


def _committees(*params) -> Drill:
    return Drill("subjects:committee-list", "/api/v1/owners-committees/", params=tuple(params))


FIGURES = [
    Figure("cov_estates", "住宅小区数", GROUP, definition="辖区内全部住宅小区数（覆盖率的分母）。", period=AT_BUILD,
           drill=_estates()),
    Figure("cov_committee_estates", "已成立业委会（物管会）的小区数", GROUP,
           definition="已登记现任业主委员会或物业管理委员会的住宅小区数。", period=AT_BUILD,
           drill=_estates(("owners_body_covered", "true"))),
    Figure("cov_committee_missing", "未成立业委会（物管会）的小区数", GROUP,
           definition="尚未登记现任业主委员会或物业管理委员会的住宅小区数（业委会覆盖的缺口清单）。", period=AT_BUILD,
           drill=_estates(("owners_body_covered", "false"))),
    Figure("cov_committees", "业委会（物管会）数", GROUP, definition="现任业主委员会、物业管理委员会数。",
           period=AT_BUILD, drill=_committees()),
    Figure("cov_party_committees", "已建立党组织的业委会（物管会）数", GROUP,
           definition="现任业主委员会、物业管理委员会中已建立党组织的个数。", period=AT_BUILD,
           drill=_committees(("party", "true"))),
    Figure("cov_party_missing_committees", "未建立党组织的业委会（物管会）数", GROUP,
           definition="现任业主委员会、物业管理委员会中尚未建立党组织的个数（党组织覆盖的缺口清单）。", period=AT_BUILD,
           drill=_committees(("party", "false"))),
    Figure("cov_party_estates", "已建立党组织的小区数", GROUP,
           definition="已建立党组织的住宅小区数：有业委会（物管会）的按其是否建立党组织，没有的按小区登记的党组织情况。",
           period=AT_BUILD, drill=_estates(("has_party_organisation", "true"))),
    Figure("cov_party_missing_estates", "未建立党组织的小区数", GROUP,
           definition="未建立党组织的住宅小区数（按小区计的缺口清单）。",
           period=AT_BUILD, drill=_estates(("has_party_organisation", "false"))),
]

RATES = [
    Rate(CoverageFigure.COMMITTEE.value, "业委会（物管会）覆盖率", ("cov_committee_estates",), ("cov_estates",),
         "已成立业委会（物管会）的小区数 ÷ 住宅小区数（盘锦市方案：始终达到95%以上）。", group=GROUP, period=AT_BUILD),
    Rate(CoverageFigure.MANAGEMENT.value, "物业管理覆盖率", ("estates_managed",), ("cov_estates",),
         "有物业服务企业或业主自治管理的小区数 ÷ 住宅小区数（盘锦市方案：始终达到95%以上）。", group=GROUP,
         period=AT_BUILD),
    Rate(CoverageFigure.PARTY_OF_COMMITTEES.value, "党组织覆盖率（按业委会计）", ("cov_party_committees",), ("cov_committees",),
         "已建立党组织的业委会（物管会）数 ÷ 业委会（物管会）数（钟山县方案：力争达到85%以上）。", group=GROUP,
         period=AT_BUILD),
    Rate(CoverageFigure.PARTY_OF_ESTATES.value, "党组织覆盖率（按小区计）", ("cov_party_estates",), ("cov_estates",),
         "已建立党组织的小区数 ÷ 住宅小区数（钟山县方案按业委会、物管会计，此为按小区计的另一口径）。", group=GROUP,
         period=AT_BUILD),
]

@register("subjects", FIGURES, RATES)
def coverage_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    """Two aggregate queries: the estates by unit, the current committees by unit."""
    result: dict[int, dict] = {}
    unit = ESTATE_UNIT[level]
    covered = Q(owners_body_status__in=COMMITTEE_STATUSES)
    for row in (
        Estate.objects.filter(community__path__startswith=region.path).values(unit)
        .annotate(cov_estates=Count("pk"), cov_committee_estates=Count("pk", filter=covered),
                  cov_committee_missing=Count("pk", filter=~covered),
                  cov_party_estates=Count("pk", filter=Q(has_party_organisation=True)),
                  cov_party_missing_estates=Count("pk", filter=Q(has_party_organisation=False)))
        .order_by()
    ):
        result[row.pop(unit)] = row
    for row in (
        OwnersCommittee.objects.current().filter(estate__community__path__startswith=region.path)
        .values(f"estate__{unit}")
        .annotate(cov_committees=Count("pk"), cov_party_committees=Count("pk", filter=Q(has_party_organisation=True)),
                  cov_party_missing_committees=Count("pk", filter=Q(has_party_organisation=False)))
        .order_by()
    ):
        result.setdefault(row.pop(f"estate__{unit}"), {}).update(row)
    return result
