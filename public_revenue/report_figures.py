"""Public revenue's figures for the monthly reports and the dashboard, through reporting's
provider seam (reporting.figures). Registered when this module is imported: reporting lists it in
reporting.figures.PROVIDER_MODULES as "public_revenue.report_figures".

Per unit (town or community) of `region`: managed estates with a special account (as of now), the
period's income, spending and enterprise share (Decimal, by the entries' dates), and the
disclosures posted in the period and how many of them were on time."""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from communities.models import Estate, ManagementType, RegionLevel
from reporting.figures import Figure, register

from .models import Direction, Disclosure, RevenueAccount, RevenueEntry, SpendingKind

GROUP = "公共收益"
FIGURES = [
    Figure("revenue_estates_with_account", "已开设公共收益专门账户小区数", GROUP),
    Figure("revenue_income", "公共收益收入（元）", GROUP),
    Figure("revenue_spending", "公共收益支出（元）", GROUP),
    Figure("revenue_enterprise_share", "其中企业提取管理成本（元）", GROUP),
    Figure("revenue_disclosures", "本期公示次数", GROUP),
    Figure("revenue_disclosures_on_time", "其中按期公示", GROUP),
]


@register("public_revenue", FIGURES)
def revenue_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    unit = "community__parent_id" if level == RegionLevel.TOWN else "community_id"
    result: dict[int, dict] = {}
    estates = Estate.objects.filter(community__path__startswith=region.path).exclude(
        management_type=ManagementType.NONE
    )
    has_account = RevenueAccount.objects.filter(estate_id=OuterRef("pk"), has_account=True)
    for row in estates.filter(Exists(has_account)).values(unit).annotate(n=Count("pk")).order_by():
        result.setdefault(row[unit], {})["revenue_estates_with_account"] = row["n"]
    money = (
        RevenueEntry.objects.filter(estate__in=estates, occurred_on__gte=period_start, occurred_on__lte=period_end)
        .values(f"estate__{unit}")
        .annotate(
            income=Sum("amount", filter=Q(direction=Direction.INCOME)),
            spending=Sum("amount", filter=Q(direction=Direction.SPENDING)),
            share=Sum("amount", filter=Q(direction=Direction.SPENDING, spending_kind=SpendingKind.ENTERPRISE_SHARE)),
        )
        .order_by()
    )
    for row in money:
        values = result.setdefault(row[f"estate__{unit}"], {})
        values["revenue_income"] = row["income"] or 0
        values["revenue_spending"] = row["spending"] or 0
        values["revenue_enterprise_share"] = row["share"] or 0
    disclosures = (
        Disclosure.objects.filter(estate__in=estates, posted_on__gte=period_start, posted_on__lte=period_end)
        .values(f"estate__{unit}")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(posted_on__lte=F("deadline"))))
        .order_by()
    )
    for row in disclosures:
        values = result.setdefault(row[f"estate__{unit}"], {})
        values["revenue_disclosures"] = row["total"]
        values["revenue_disclosures_on_time"] = row["on_time"]
    return result
