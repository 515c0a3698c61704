"""The daily checks of the estate registers. One mechanism for every check: a finding is recorded
once (RegisterFinding, unique per estate, check and subject) and its clue goes to the ledger
through rectification.services.clues_intake (source 系统自动核查): it opens a case, or joins
the open case of the same estate and category. Running twice records nothing new.

Which category each check reports under (campaigns.taxonomy):
- 代收维修资金逾期未上缴 → E (钟山 (六): 代收的住宅专项维修资金没有及时上缴县住建局专户).
- 合同逾期未备案 → G2 for a 前期物业服务合同 (the developer's 备案, 盘锦 建设单位 item), else A2
  (钟山/休宁 A2: 未履行…报告义务).
- 合同已到期未续签 → F6 (群众反映强烈的其他物业服务问题): the plans name no item of their own; the
  working group reclassifies the case when it verifies it.
- 公示收费高于备案标准 → F3 (钟山 (七): 提高物业服务收费标准)."""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for
from communities.models import Estate
from rectification.models import ClueSource
from rectification.services import ClueInput, clues_intake

from .models import (
    ContractKind,
    FeeDisclosure,
    FundCollection,
    RegisterCheckKind,
    RegisterFinding,
    ReviewStatus,
    ServiceContract,
)
from .rules import limits_for_path, limits_index

logger = logging.getLogger(__name__)

CATEGORY_CODES = {
    RegisterCheckKind.FUND_NOT_TRANSFERRED: "E",
    RegisterCheckKind.CONTRACT_NOT_FILED: "A2",
    RegisterCheckKind.CONTRACT_EXPIRED: "F6",
    RegisterCheckKind.FEE_ABOVE_STANDARD: "F3",
}
PRELIMINARY_NOT_FILED_CODE = "G2"


class CheckRun:
    """One run of the checks on `today`: what is already recorded, the categories, the limits,
    and `record()`, the one way a finding becomes a clue."""

    def __init__(self, today: date):
        self.today = today
        self.limits = limits_index()
        codes = {*CATEGORY_CODES.values(), PRELIMINARY_NOT_FILED_CODE}
        self.categories = {c.code: c for c in ProblemCategory.objects.filter(code__in=codes)}
        self.existing = set(RegisterFinding.objects.values_list("estate_id", "check_kind", "subject_key"))
        self.recorded = {kind: 0 for kind in RegisterCheckKind.values}

    def limits_for(self, estate: Estate):
        return limits_for_path(estate.community.path, self.limits)

    def record(self, *, estate: Estate, kind: str, subject_key: str, description: str, code: str | None = None) -> bool:
        if (estate.pk, kind, subject_key) in self.existing:
            return False
        code = code or CATEGORY_CODES[kind]
        category = self.categories.get(code)
        if category is None:
            logger.warning("estate register check %s: category %s missing", kind, code)
            return False
        try:
            with transaction.atomic():
                finding = RegisterFinding.objects.create(
                    estate=estate, check_kind=kind, subject_key=subject_key, description=description[:300],
                    found_on=self.today,
                )
                campaign = campaign_for(estate, today=self.today)
                [result] = clues_intake(clues=[ClueInput(
                    estate=estate, category=category, source=ClueSource.AUTO_CHECK,
                    campaign_id=campaign.pk if campaign else None,
                    reference=f"小区专项台账自动核查：{RegisterCheckKind(kind).label}", description=description,
                    source_app_label="estate_registers", source_object_id=finding.pk,
                )])
                finding.case_id = result.case_id
                finding.save(update_fields=["case"])
        except IntegrityError:
            return False  # a parallel run recorded the same finding first
        self.existing.add((estate.pk, kind, subject_key))
        self.recorded[kind] += 1
        return True


def register_checks_run(*, today: date | None = None) -> dict[str, int]:
    """Runs every check; returns how many new findings each recorded. Rows the town returned are
    not facts yet and are skipped; rows awaiting review are the enterprise's or community's own
    declaration and count."""
    run = CheckRun(today or timezone.localdate())
    _check_fund_not_transferred(run)
    _check_contracts(run)
    _check_fees_above_standard(run)
    return run.recorded


def _live(queryset):
    return queryset.exclude(status=ReviewStatus.RETURNED).select_related("estate__community")


def _check_fund_not_transferred(run: CheckRun) -> None:
    pending = _live(FundCollection.objects.filter(transferred_amount__lt=F("collected_amount"))).order_by("pk")
    for row in pending:
        days = run.limits_for(row.estate).fund_transfer_days
        if row.collected_on + timedelta(days=days) >= run.today:
            continue
        run.record(
            estate=row.estate, kind=RegisterCheckKind.FUND_NOT_TRANSFERRED, subject_key=f"collection:{row.pk}",
            description=(
                f"{row.estate.name}：{row.collected_by}于{row.collected_on:%Y年%m月%d日}代收住宅专项维修资金 "
                f"{row.collected_amount} 元，超过 {days} 天尚有 {row.outstanding} 元未上缴住建部门专户。"
            ),
        )


def _check_contracts(run: CheckRun) -> None:
    contracts = list(_live(ServiceContract.objects.all()).order_by("estate_id", "-start", "-pk"))
    latest_seen = set()
    for row in contracts:
        if not row.filing_number:
            days = run.limits_for(row.estate).contract_filing_days
            if row.signed_on + timedelta(days=days) < run.today:
                preliminary = row.kind == ContractKind.PRELIMINARY
                run.record(
                    estate=row.estate, kind=RegisterCheckKind.CONTRACT_NOT_FILED, subject_key=f"contract:{row.pk}",
                    code=PRELIMINARY_NOT_FILED_CODE if preliminary else None,
                    description=(
                        f"{row.estate.name}：{row.get_kind_display()}（{row.start}至{row.end}）于"
                        f"{row.signed_on:%Y年%m月%d日}签订，超过 {days} 天未办理备案。"
                    ),
                )
        if row.estate_id in latest_seen:
            continue
        latest_seen.add(row.estate_id)  # only the estate's latest contract can be "expired, not renewed"
        if row.end < run.today:
            run.record(
                estate=row.estate, kind=RegisterCheckKind.CONTRACT_EXPIRED, subject_key=f"contract:{row.pk}",
                description=f"{row.estate.name}：物业服务合同已于{row.end:%Y年%m月%d日}到期，未登记续签或新合同。",
            )


def _check_fees_above_standard(run: CheckRun) -> None:
    """A disclosed fee above the standard of the contract in force on the disclosure date."""
    contracts: dict[int, list[ServiceContract]] = {}
    for contract in _live(ServiceContract.objects.all()).order_by("-start", "-pk"):
        contracts.setdefault(contract.estate_id, []).append(contract)
    for row in _live(FeeDisclosure.objects.filter(estate_id__in=contracts.keys())).order_by("pk"):
        in_force = next((c for c in contracts[row.estate_id] if c.start <= row.disclosed_on <= c.end), None)
        if in_force is None or row.fee_charged <= in_force.fee_standard:
            continue
        run.record(
            estate=row.estate, kind=RegisterCheckKind.FEE_ABOVE_STANDARD, subject_key=f"fee:{row.pk}",
            description=(
                f"{row.estate.name}：{row.disclosed_on:%Y年%m月%d日}公示物业费 {row.fee_charged} 元/㎡·月，"
                f"高于合同{'（备案号 ' + in_force.filing_number + '）' if in_force.filing_number else ''}约定标准 "
                f"{in_force.fee_standard} 元/㎡·月。"
            ),
        )
