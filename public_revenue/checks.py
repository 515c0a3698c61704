"""The daily automatic checks of public revenue. Each finding is recorded once (unique per estate,
check and subject) and sends one clue to the ledger through rectification's
case_open_or_join(source=AUTO_CHECK): it opens a case, or joins the open case of the same estate
and category. Nothing here closes or reopens a case."""

import logging
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for
from communities.models import Estate
from rectification.models import ClueSource
from rectification.services import case_open_or_join

from . import selectors
from .models import (
    Approval,
    CheckFinding,
    CheckKind,
    Direction,
    Disclosure,
    RevenueAccount,
    RevenueEntry,
    RevenueSource,
    SpendingKind,
)
from .periods import (
    deadline_for,
    last_complete_period,
    period_key,
    period_label,
    recent_complete_periods,
)

logger = logging.getLogger(__name__)

#: the taxonomy category (campaigns.taxonomy) each check reports under
CATEGORY_CODES = {
    CheckKind.NO_ACCOUNT: "B1",
    CheckKind.SOURCE_UNAPPROVED: "B2",
    CheckKind.DISCLOSURE_OVERDUE: "B3",
    CheckKind.SHARE_OVER_CAP: "B4",
    CheckKind.SPENDING_WITHOUT_BASIS: "B4",
    CheckKind.INCOME_BELOW_CONTRACT: "B4",
}


class _Run:
    def __init__(self, today: date):
        self.today = today
        self.rules = selectors.rules_index()
        self.categories = {c.code: c for c in ProblemCategory.objects.filter(code__in=set(CATEGORY_CODES.values()))}
        self.existing = set(CheckFinding.objects.values_list("estate_id", "check_kind", "subject_key"))
        self.recorded = {kind: 0 for kind in CheckKind.values}

    def record(self, *, estate: Estate, kind: str, subject_key: str, description: str) -> bool:
        if (estate.pk, kind, subject_key) in self.existing:
            return False
        category = self.categories.get(CATEGORY_CODES[kind])
        if category is None:
            logger.warning("public revenue check %s: category %s missing", kind, CATEGORY_CODES[kind])
            return False
        try:
            with transaction.atomic():
                finding = CheckFinding.objects.create(
                    estate=estate,
                    check_kind=kind,
                    subject_key=subject_key,
                    description=description[:300],
                    found_on=self.today,
                )
                case, _clue, _created = case_open_or_join(
                    estate=estate,
                    category=category,
                    campaign=campaign_for(estate, today=self.today),
                    source=ClueSource.AUTO_CHECK,
                    reference=f"公共收益自动核查：{CheckKind(kind).label}",
                    description=description,
                    source_app_label="public_revenue",
                    source_object_id=finding.pk,
                )
                finding.case = case
                finding.save(update_fields=["case"])
        except IntegrityError:
            # A parallel run recorded the same finding first.
            return False
        self.existing.add((estate.pk, kind, subject_key))
        self.recorded[kind] += 1
        return True


def revenue_checks_run(*, today: date | None = None) -> dict[str, int]:
    """Runs every check over all estates; returns how many new findings each check recorded.
    Safe to run twice: a second run on the same day records nothing."""
    run = _Run(today or timezone.localdate())
    estates = {e.pk: e for e in selectors.managed_estates(Estate.objects.select_related("community"))}
    _check_no_account(run, estates)
    _check_unapproved_sources(run, estates)
    _check_disclosures_and_share(run, estates)
    _check_spending_without_basis(run, estates)
    _check_income_below_contract(run, estates)
    return run.recorded


def _check_no_account(run: _Run, estates: dict[int, Estate]) -> None:
    with_account = set(RevenueAccount.objects.filter(has_account=True).values_list("estate_id", flat=True))
    recorded_none = set(RevenueAccount.objects.filter(has_account=False).values_list("estate_id", flat=True))
    for estate_id, estate in estates.items():
        if estate_id in with_account:
            continue
        how = "登记为未开设" if estate_id in recorded_none else "未登记专门账户"
        run.record(
            estate=estate,
            kind=CheckKind.NO_ACCOUNT,
            subject_key="",
            description=f"{estate.name}{how}公共收益专门账户（监管账号）。",
        )


def _check_unapproved_sources(run: _Run, estates: dict[int, Estate]) -> None:
    for source in RevenueSource.objects.filter(is_active=True, approval=Approval.NONE, estate_id__in=estates.keys()):
        estate = estates[source.estate_id]
        run.record(
            estate=estate,
            kind=CheckKind.SOURCE_UNAPPROVED,
            subject_key=f"source:{source.pk}",
            description=f"{estate.name}的经营项目“{source}”（合作方：{source.counterparty or '未填写'}）未经业主大会或相关业主同意。",
        )


def _first_activity() -> dict[int, date]:
    first: dict[int, date] = {}
    for row in RevenueEntry.objects.values("estate_id").annotate(first=Min("occurred_on")).order_by():
        first[row["estate_id"]] = row["first"]
    for row in (
        RevenueSource.objects.values("estate_id")
        .annotate(first_contract=Min("contract_start"), first_created=Min("created_at"))
        .order_by()
    ):
        candidates = [d for d in (row["first_contract"], timezone.localdate(row["first_created"])) if d]
        day = min(candidates)
        first[row["estate_id"]] = min(day, first.get(row["estate_id"], day))
    return first


#: how many past periods the disclosure check looks back over
DISCLOSURE_LOOKBACK_PERIODS = 4


def _check_disclosures_and_share(run: _Run, estates: dict[int, Estate]) -> None:
    """For each estate with public revenue: every recent ended period (since its first activity)
    whose disclosure deadline passed without a disclosure (B3); and the enterprise's share of the
    last ended period's income above the cap (B4)."""
    first_activity = _first_activity()
    disclosed = set(
        Disclosure.objects.filter(period_start__gte=date(run.today.year - 2, 1, 1)).values_list(
            "estate_id", "period_start"
        )
    )
    for estate_id, first in first_activity.items():
        estate = estates.get(estate_id)
        if estate is None:
            continue
        rule = selectors.rule_for_path(estate.community.path, run.rules)
        for start, end in recent_complete_periods(run.today, rule.period_months, DISCLOSURE_LOOKBACK_PERIODS):
            deadline = deadline_for(end, rule)
            if first > end or run.today <= deadline or (estate_id, start) in disclosed:
                continue
            run.record(
                estate=estate,
                kind=CheckKind.DISCLOSURE_OVERDUE,
                subject_key=period_key(start, end),
                description=(
                    f"{estate.name}{period_label(start, end)}公共收益收支情况应于{deadline:%Y年%m月%d日}前公示，逾期未公示。"
                ),
            )
        start, end = last_complete_period(run.today, rule.period_months)
        if first > end:
            continue
        label = period_label(start, end)
        sums = RevenueEntry.objects.filter(estate_id=estate_id, occurred_on__gte=start, occurred_on__lte=end).aggregate(
            income=Sum("amount", filter=Q(direction=Direction.INCOME)),
            share=Sum("amount", filter=Q(direction=Direction.SPENDING, spending_kind=SpendingKind.ENTERPRISE_SHARE)),
        )
        income, share = sums["income"] or Decimal("0"), sums["share"] or Decimal("0")
        if share > 0 and share * 100 > income * rule.share_cap_percent:
            percent = (share * 100 / income).quantize(Decimal("0.1")) if income else None
            run.record(
                estate=estate,
                kind=CheckKind.SHARE_OVER_CAP,
                subject_key=f"share:{period_key(start, end)}",
                description=(
                    f"{estate.name}{label}物业服务企业提取管理成本 {share} 元，"
                    f"占公共收益收入 {income} 元的{f'{percent}%' if percent is not None else '（无收入）'}，"
                    f"超过上限 {rule.share_cap_percent}%。"
                ),
            )


def _check_spending_without_basis(run: _Run, estates: dict[int, Estate]) -> None:
    spending = RevenueEntry.objects.filter(
        direction=Direction.SPENDING, allocation_basis="", estate_id__in=estates.keys()
    ).order_by("pk")
    for entry in spending:
        estate = estates[entry.estate_id]
        run.record(
            estate=estate,
            kind=CheckKind.SPENDING_WITHOUT_BASIS,
            subject_key=f"entry:{entry.pk}",
            description=(
                f"{estate.name}{entry.occurred_on:%Y-%m-%d}支出“{entry.kind_display}”{entry.amount} 元，"
                "未注明合同约定或业主大会决议依据。"
            ),
        )


def _check_income_below_contract(run: _Run, estates: dict[int, Estate]) -> None:
    """A clue for verification (possible 侵占): an ended contract whose agreed income is more
    than the income recorded against it within the contract period."""
    sources = RevenueSource.objects.filter(
        estate_id__in=estates.keys(), contract_amount__gt=0, contract_start__isnull=False, contract_end__lt=run.today
    )
    for source in sources:
        recorded = RevenueEntry.objects.filter(
            source=source,
            direction=Direction.INCOME,
            occurred_on__gte=source.contract_start,
            occurred_on__lte=source.contract_end,
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if recorded >= source.contract_amount:
            continue
        estate = estates[source.estate_id]
        run.record(
            estate=estate,
            kind=CheckKind.INCOME_BELOW_CONTRACT,
            subject_key=f"contract:{source.pk}",
            description=(
                f"{estate.name}经营项目“{source}”合同约定收入 {source.contract_amount} 元，"
                f"合同期内入账 {recorded} 元，差额 {source.contract_amount - recorded} 元，请核查是否被侵占。"
            ),
        )
