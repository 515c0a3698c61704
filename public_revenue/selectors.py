"""Reads of public revenue. Every list starts from `visible_to(user)`; sums are computed in the
database and stay Decimal."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities import regions
from communities.models import Estate, ManagementType, Region, RegionLevel

from .models import (
    CheckFinding,
    Direction,
    Disclosure,
    RevenueAccount,
    RevenueEntry,
    RevenueKind,
    RevenueRule,
    RevenueSource,
    SpendingKind,
)
from .periods import Rule, period_label

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _money(value) -> Decimal:
    return (value if value is not None else ZERO).quantize(Decimal("0.01"))


def managed_estates(queryset=None):
    """Estates under property management (by an enterprise or by the owners themselves): the
    denominator of account coverage."""
    queryset = queryset if queryset is not None else Estate.objects.all()
    return queryset.exclude(management_type=ManagementType.NONE)


# ---------------------------------------------------------------------------------------------
# Ledger sums


def ledger_totals(*, estate_id: int, start: date | None = None, end: date | None = None) -> dict:
    """Income and spending of one estate between start and end (inclusive), by kind, plus the
    enterprise's share and the cumulative balance at `end`. All values are Decimal."""
    entries = RevenueEntry.objects.filter(estate_id=estate_id)
    if start is not None:
        entries = entries.filter(occurred_on__gte=start)
    if end is not None:
        entries = entries.filter(occurred_on__lte=end)
    income_by_kind = {k: ZERO for k in RevenueKind.values}
    spending_by_kind = {k: ZERO for k in SpendingKind.values}
    for row in entries.values("direction", "income_kind", "spending_kind").annotate(total=Sum("amount")).order_by():
        if row["direction"] == Direction.INCOME:
            income_by_kind[row["income_kind"]] = _money(row["total"])
        else:
            spending_by_kind[row["spending_kind"]] = _money(row["total"])
    to_date = RevenueEntry.objects.filter(estate_id=estate_id)
    if end is not None:
        to_date = to_date.filter(occurred_on__lte=end)
    cumulative = to_date.aggregate(
        income=Sum("amount", filter=Q(direction=Direction.INCOME)),
        spending=Sum("amount", filter=Q(direction=Direction.SPENDING)),
    )
    income_total = sum(income_by_kind.values(), ZERO)
    spending_total = sum(spending_by_kind.values(), ZERO)
    return {
        "income_by_kind": income_by_kind,
        "spending_by_kind": spending_by_kind,
        "income_total": income_total,
        "spending_total": spending_total,
        "enterprise_share_total": spending_by_kind[SpendingKind.ENTERPRISE_SHARE],
        "balance": _money(cumulative["income"]) - _money(cumulative["spending"]),
    }


def labelled_totals(totals_by_kind: dict) -> dict:
    """{"income": [(label, Decimal)], "spending": [...]} for templates, from a disclosure's JSON
    or ledger_totals(); kinds with no money are left out."""
    income_labels, spending_labels = dict(RevenueKind.choices), dict(SpendingKind.choices)
    income = totals_by_kind.get("income") or totals_by_kind.get("income_by_kind") or {}
    spending = totals_by_kind.get("spending") or totals_by_kind.get("spending_by_kind") or {}
    return {
        "income": [(income_labels.get(k, k), Decimal(str(v))) for k, v in income.items() if Decimal(str(v))],
        "spending": [(spending_labels.get(k, k), Decimal(str(v))) for k, v in spending.items() if Decimal(str(v))],
    }


# ---------------------------------------------------------------------------------------------
# Lists


def _sum_subquery(queryset, direction, extra=None):
    filters = {"estate_id": OuterRef("pk"), "direction": direction, **(extra or {})}
    return Coalesce(
        Subquery(
            queryset.filter(**filters).order_by().values("estate_id").annotate(s=Sum("amount")).values("s")[:1],
            output_field=MONEY_FIELD,
        ),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


def estate_overview(*, user, year: int | None = None):
    """The estates a user may see with their account status and this year's figures, in a
    constant number of queries."""
    year = year or timezone.localdate().year
    entries = RevenueEntry.objects.filter(occurred_on__year=year)
    last_disclosure = Disclosure.objects.filter(estate_id=OuterRef("pk")).order_by("-period_start")
    return (
        Estate.objects.visible_to(user)
        .select_related("community__parent", "enterprise", "revenue_account")
        .annotate(
            year_income=_sum_subquery(entries, Direction.INCOME),
            year_spending=_sum_subquery(entries, Direction.SPENDING),
            year_enterprise_share=_sum_subquery(
                entries, Direction.SPENDING, {"spending_kind": SpendingKind.ENTERPRISE_SHARE}
            ),
            last_disclosure_start=Subquery(last_disclosure.values("period_start")[:1]),
            last_disclosure_end=Subquery(last_disclosure.values("period_end")[:1]),
            finding_count=Count("revenue_findings", distinct=True),
        )
        .order_by("community__path", "name")
    )


def town_figures(*, user=None, region: Region | None = None, year: int | None = None) -> list[dict]:
    """Per town of the user's scope (or, for scheduled reports without a user, of `region`'s
    subtree): managed estates, estates with an account (coverage), the year's income, spending
    and enterprise share, and disclosures on time / recorded. Money is Decimal."""
    year = year or timezone.localdate().year
    if user is not None:
        scoped = Estate.objects.visible_to(user)
    elif region is not None:
        scoped = Estate.objects.filter(community__path__startswith=region.path)
    else:
        raise ValueError("town_figures needs a user or a region")
    estates = managed_estates(scoped)
    has_account = RevenueAccount.objects.filter(estate_id=OuterRef("pk"), has_account=True)
    per_town = {
        row["community__parent"]: row
        for row in estates.annotate(with_account=Exists(has_account))
        .values("community__parent")
        .annotate(managed=Count("pk"), with_account_count=Count("pk", filter=Q(with_account=True)))
        .order_by()
    }
    money = {
        row["estate__community__parent"]: row
        for row in RevenueEntry.objects.filter(estate__in=estates, occurred_on__year=year)
        .values("estate__community__parent")
        .annotate(
            income=Sum("amount", filter=Q(direction=Direction.INCOME)),
            spending=Sum("amount", filter=Q(direction=Direction.SPENDING)),
            share=Sum("amount", filter=Q(direction=Direction.SPENDING, spending_kind=SpendingKind.ENTERPRISE_SHARE)),
        )
        .order_by()
    }
    disclosures = {
        row["estate__community__parent"]: row
        for row in Disclosure.objects.filter(estate__in=estates, period_start__year=year)
        .values("estate__community__parent")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(posted_on__lte=F("deadline"))))
        .order_by()
    }
    towns = Region.objects.filter(pk__in=per_town.keys(), level=RegionLevel.TOWN).order_by("path")
    rows = []
    for town in towns:
        counts, m, d = per_town[town.pk], money.get(town.pk, {}), disclosures.get(town.pk, {})
        rows.append(
            {
                "town": town,
                "managed": counts["managed"],
                "with_account": counts["with_account_count"],
                "coverage": coverage_percent(counts["with_account_count"], counts["managed"]),
                "income": _money(m.get("income")),
                "spending": _money(m.get("spending")),
                "enterprise_share": _money(m.get("share")),
                "disclosures": d.get("total", 0),
                "disclosures_on_time": d.get("on_time", 0),
            }
        )
    return rows


def figures_total(rows: list[dict]) -> dict:
    managed = sum(r["managed"] for r in rows)
    with_account = sum(r["with_account"] for r in rows)
    return {
        "managed": managed,
        "with_account": with_account,
        "coverage": coverage_percent(with_account, managed),
        "income": sum((r["income"] for r in rows), ZERO),
        "spending": sum((r["spending"] for r in rows), ZERO),
        "enterprise_share": sum((r["enterprise_share"] for r in rows), ZERO),
        "disclosures": sum(r["disclosures"] for r in rows),
        "disclosures_on_time": sum(r["disclosures_on_time"] for r in rows),
    }


def coverage_percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def estate_entries(*, user, estate_id: int):
    return (
        RevenueEntry.objects.visible_to(user)
        .filter(estate_id=estate_id)
        .select_related("source", "created_by")
        .order_by("-occurred_on", "-id")
    )


def estate_sources(*, user, estate_id: int):
    return RevenueSource.objects.visible_to(user).filter(estate_id=estate_id).order_by("-is_active", "kind", "id")


def disclosure_list(*, user):
    return (
        Disclosure.objects.visible_to(user)
        .select_related("estate__community__parent", "reviewed_by")
        .order_by("-period_start", "estate__community__path", "estate__name")
    )


def finding_list(*, user):
    return (
        CheckFinding.objects.visible_to(user)
        .select_related("estate__community__parent", "case")
        .order_by("-found_on", "-id")
    )


# ---------------------------------------------------------------------------------------------
# Public page (no login, no personal data)


def public_estate_revenue(*, estate_id: int, today: date | None = None) -> dict | None:
    """What the owners see from the estate's QR code: the account (masked), the published
    disclosures and this year's totals from the ledger. No names of staff, no files but the
    notice photo, no full account number."""
    estate = Estate.objects.select_related("community__parent", "enterprise").filter(pk=estate_id).first()
    if estate is None:
        return None
    today = today or timezone.localdate()
    account = RevenueAccount.objects.filter(estate=estate).first()
    disclosures = list(Disclosure.objects.filter(estate=estate).order_by("-period_start")[:12])
    for d in disclosures:
        d.labelled = labelled_totals(d.totals_by_kind)
    year_totals = ledger_totals(estate_id=estate.pk, start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    return {
        "estate": estate,
        "account": account,
        "disclosures": disclosures,
        "year": today.year,
        "year_totals": year_totals,
        "year_labelled": labelled_totals(year_totals),
    }


# ---------------------------------------------------------------------------------------------
# Exports


ENTRY_EXPORT_HEADERS = [
    "序号",
    "镇/街道",
    "社区",
    "小区",
    "发生日期",
    "收支",
    "类型",
    "金额（元）",
    "交易对方",
    "经营项目",
    "分配使用依据",
    "依据说明",
    "备注",
    "凭证",
]


def entry_export_rows(queryset):
    for index, e in enumerate(
        queryset.select_related("estate__community__parent", "source").iterator(chunk_size=1000), 1
    ):
        yield [
            index,
            e.estate.community.parent.name,
            e.estate.community.name,
            e.estate.name,
            e.occurred_on,
            e.get_direction_display(),
            e.kind_display,
            e.amount,
            e.counterparty,
            str(e.source) if e.source_id else "",
            e.get_allocation_basis_display(),
            e.basis_reference,
            e.note,
            "有" if e.voucher else "无",
        ]


OVERVIEW_EXPORT_HEADERS = [
    "序号",
    "镇/街道",
    "社区",
    "小区",
    "物业服务企业",
    "专门账户",
    "开户银行",
    "账号（脱敏）",
    "账户管理方",
    "本年收入（元）",
    "本年支出（元）",
    "其中企业管理成本（元）",
    "最近公示期间",
]


def overview_export_rows(queryset):
    for index, e in enumerate(queryset, 1):
        account = getattr(e, "revenue_account", None)
        yield [
            index,
            e.community.parent.name,
            e.community.name,
            e.name,
            e.enterprise.name if e.enterprise_id else "",
            ("已开设" if account.has_account else "未开设") if account else "未登记",
            account.bank if account else "",
            account.masked_number if account else "",
            account.get_holder_display() if account else "",
            _money(e.year_income),
            _money(e.year_spending),
            _money(e.year_enterprise_share),
            period_label(e.last_disclosure_start, e.last_disclosure_end) if e.last_disclosure_start else "",
        ]


FIGURES_EXPORT_HEADERS = [
    "镇/街道",
    "物业管理小区数",
    "已开设专门账户",
    "账户覆盖率（%）",
    "本年收入（元）",
    "本年支出（元）",
    "其中企业管理成本（元）",
    "本年公示次数",
    "按期公示次数",
]


def figures_export_rows(rows: list[dict]):
    for r in rows:
        yield [
            r["town"].name,
            r["managed"],
            r["with_account"],
            r["coverage"],
            r["income"],
            r["spending"],
            r["enterprise_share"],
            r["disclosures"],
            r["disclosures_on_time"],
        ]
    total = figures_total(rows)
    yield [
        "合计",
        total["managed"],
        total["with_account"],
        total["coverage"],
        total["income"],
        total["spending"],
        total["enterprise_share"],
        total["disclosures"],
        total["disclosures_on_time"],
    ]


# ---------------------------------------------------------------------------------------------
# The disclosure rule (period, deadline, enterprise share cap) that applies to an estate


def rule_for_path(path: str, rules_by_path: dict[str, Rule] | None = None) -> Rule:
    """The rule of the nearest region on `path` (a community path) that has one."""
    if rules_by_path is None:
        rules_by_path = rules_index()
    for prefix in reversed(regions.ancestors(path)):
        if prefix in rules_by_path:
            return rules_by_path[prefix]
    return Rule()


def rules_index() -> dict[str, Rule]:
    return {
        r.region.path: Rule(r.disclosure_period_months, r.disclosure_deadline_days, r.enterprise_share_cap_percent)
        for r in RevenueRule.objects.select_related("region")
    }


def rule_for_estate(estate) -> Rule:
    return rule_for_path(estate.community.path)
