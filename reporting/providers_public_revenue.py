"""Public revenue's figures (公共收益) for the monthly reports and the dashboard. Reads
public_revenue.models only; registered when this module is imported (reporting.figures.PROVIDER_MODULES).

Per unit (town or community) of `region`: managed estates with a special account (as of now), the
period's income, spending and enterprise share (Decimal, by the entries' dates), and the
disclosures posted in the period and how many of them were on time."""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from communities.models import Estate, ManagementType, RegionLevel
from public_revenue.models import Direction, Disclosure, RevenueAccount, RevenueEntry, SpendingKind

from .figures import AT_BUILD, IN_PERIOD, Figure, Rate, register
from .providers_rectification import ESTATE_UNIT

GROUP = "公共收益"
FIGURES = [
    Figure("revenue_estates_with_account", "已开设公共收益专门账户小区数", GROUP, period=AT_BUILD,
           definition="物业管理小区中已开设公共收益专门账户的小区数。"),
    Figure("revenue_income", "公共收益收入（元）", GROUP, definition="报告期内登记的公共收益收入金额。"),
    Figure("revenue_spending", "公共收益支出（元）", GROUP, definition="报告期内登记的公共收益支出金额。"),
    Figure("revenue_enterprise_share", "其中企业提取管理成本（元）", GROUP,
           definition="公共收益支出中物业服务企业提取的管理成本。"),
    Figure("revenue_disclosures", "本期公示次数", GROUP, definition="报告期内张贴的公共收益收支公示次数。"),
    Figure("revenue_disclosures_on_time", "其中按期公示", GROUP, definition="本期公示中在公示期限内张贴的次数。"),
]
RATES = [
    Rate("revenue_account_rate", "公共收益专门账户开设率", ("revenue_estates_with_account",), ("estates_managed",),
         "已开设公共收益专门账户小区数 ÷ 物业管理小区数（无物业小区不计入）。", group=GROUP, period=AT_BUILD),
    Rate("revenue_disclosure_on_time_rate", "按期公示率", ("revenue_disclosures_on_time",), ("revenue_disclosures",),
         "按期公示次数 ÷ 本期公示次数。", group=GROUP, period=IN_PERIOD),
]


@register("public_revenue", FIGURES, RATES)
def revenue_figures(region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict:
    unit = ESTATE_UNIT[level]
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
