"""Writes of public revenue. Every function is keyword-only, runs in one transaction, checks the
user's role and scope (an enterprise user only for the estates it serves), writes its audit row
and raises a core.errors.DomainError with a Chinese message on refusal."""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.capabilities import can, require
from accounts.models import User
from communities.models import Estate
from core import crypto
from core.audit import audited
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.files import InvalidUpload, validate_uploads

from . import selectors
from .models import (
    AccountHolder,
    AllocationBasis,
    Approval,
    Direction,
    Disclosure,
    RevenueAccount,
    RevenueEntry,
    RevenueEvent,
    RevenueEventKind,
    RevenueKind,
    RevenueSource,
    SpendingKind,
)
from .periods import deadline_for, is_period_start, period_containing, period_label

MAX_AMOUNT = Decimal("999999999999.99")


# ---------------------------------------------------------------------------------------------
# Parsing


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


ACCOUNT_NUMBER_PURPOSE = "public_revenue.account_number"

def parse_amount(raw, *, label: str = "金额", allow_zero: bool = False) -> Decimal:
    """A money amount as Decimal with at most 2 decimals. Accepts full-width digits, "元",
    "¥"/"￥" and well-formed thousands separators ("12,345.60"); anything ambiguous ("1,23",
    "1.234,5", "1万") or negative is refused, never guessed."""
    if isinstance(raw, bool) or raw is None:
        raise InvalidInput(f"请填写{label}。")
    if isinstance(raw, Decimal | int):
        text = str(raw)
    elif isinstance(raw, float):
        # A float has already lost the cents it cannot represent; read its shortest repr.
        text = repr(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        text = text.replace(" ", "").removesuffix("元").removeprefix("¥").removeprefix("RMB").strip()
        if not text:
            raise InvalidInput(f"请填写{label}。")
    if text.startswith("-"):
        raise InvalidInput(f"{label}不能为负数。")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif not _PLAIN.match(text):
        raise InvalidInput(f"{label}“{raw}”不是有效的数字金额（例如 1200 或 1,200.50）。")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(f"{label}“{raw}”不是有效的数字金额。") from exc
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}最多保留两位小数（精确到分）。")
    if value > MAX_AMOUNT:
        raise InvalidInput(f"{label}过大，请核对。")
    if value == 0 and not allow_zero:
        raise InvalidInput(f"{label}必须大于 0。")
    return value.quantize(Decimal("0.01"))


def _date(raw, *, label: str, required: bool = True) -> date | None:
    if raw in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}。")
        return None
    if isinstance(raw, date):
        return raw
    try:
        value = parse_date(str(raw).strip())
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(f"{label}“{raw}”不是有效的日期（格式：2025-03-31）。")
    return value


def _not_future(value: date | None, label: str, today: date) -> None:
    if value is not None and value > today:
        raise InvalidInput(f"{label}不能晚于今天。")


def _text(raw, max_length: int = 200) -> str:
    return str(raw or "").strip()[:max_length]


def _choice(raw, choices, label: str, *, required: bool = True) -> str:
    value = str(raw or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        raise InvalidInput(f"请选择有效的{label}。")
    return value


# ---------------------------------------------------------------------------------------------
# Scope


def _estate_for_write(*, user: User, estate_id) -> Estate:
    """The estate to record on: "revenue.write" (the enterprise for the estates it serves; towns
    and the county for any estate of their scope, e.g. a self-managed one), then scope."""
    if not can(user, "data.write"):
        raise PermissionDenied("只读账号不能登记公共收益信息。")
    require(user, "revenue.write", message="您的角色不能登记公共收益信息。")
    try:
        estate_pk = int(estate_id)
    except (TypeError, ValueError) as exc:
        raise NotFound("小区不存在或不在您的服务/管辖范围内。") from exc
    estate = Estate.objects.visible_to(user).select_related("community").filter(pk=estate_pk).first()
    if estate is None:
        raise NotFound("小区不存在或不在您的服务/管辖范围内。")
    return estate


def _event(*, estate: Estate, user: User | None, kind: str, note: str, data: dict | None = None) -> None:
    RevenueEvent.objects.create(estate=estate, actor=user, kind=kind, note=note[:300], data=data or {})


def _one_file(upload, *, label: str, images_only: bool = False):
    if not upload:
        return None, ""
    [(f, content_type)] = validate_uploads([upload])
    if images_only and not content_type.startswith("image/"):
        raise InvalidUpload(f"{label}须为 JPG、PNG、GIF 或 WEBP 图片。")
    return f, content_type


# ---------------------------------------------------------------------------------------------
# Accounts


ACCOUNT_NUMBER = re.compile(r"^\d{6,32}$")


@audited("public_revenue.RevenueEvent")
def account_record(
    *,
    user: User,
    estate_id: int,
    has_account: bool,
    bank: str = "",
    account_name: str = "",
    account_number: str = "",
    opened_on=None,
    holder: str = "",
    note: str = "",
) -> RevenueAccount:
    """Records the estate's special account (or that it has none). The number is stored
    encrypted; leaving it blank on an update keeps the stored one."""
    today = timezone.localdate()
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        account = RevenueAccount.objects.select_for_update().filter(estate=estate).first() or RevenueAccount(
            estate=estate
        )
        account.has_account = bool(has_account)
        account.note = _text(note)
        account.updated_by = user
        if not account.has_account:
            account.bank = account.account_name = account.holder = ""
            account.account_number_encrypted = account.account_number_last4 = ""
            account.opened_on = None
        else:
            account.bank = _text(bank, 100)
            account.account_name = _text(account_name, 100)
            account.holder = _choice(holder, AccountHolder, "账户管理方")
            account.opened_on = _date(opened_on, label="开户日期", required=False)
            _not_future(account.opened_on, "开户日期", today)
            number = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(account_number or "")))
            if number:
                if not ACCOUNT_NUMBER.match(number):
                    raise InvalidInput("账号应为 6 至 32 位数字。")
                account.account_number_encrypted = crypto.encrypt(number, purpose=ACCOUNT_NUMBER_PURPOSE)
                account.account_number_last4 = number[-4:]
            if not account.bank or not account.account_name:
                raise InvalidInput("请填写开户银行和账户名称。")
            if not account.account_number_encrypted:
                raise InvalidInput("请填写账号。")
        account.save()
        _event(
            estate=estate,
            user=user,
            kind=RevenueEventKind.ACCOUNT,
            note=f"{'已开设' if account.has_account else '未开设'}专门账户 {account.masked_number}".strip(),
            data={"has_account": account.has_account, "bank": account.bank, "holder": account.holder},
        )
    return account


# ---------------------------------------------------------------------------------------------
# Sources


@audited("public_revenue.RevenueEvent")
def source_create(
    *,
    user: User,
    estate_id: int,
    kind: str,
    common_part: str,
    counterparty: str = "",
    contract_start=None,
    contract_end=None,
    contract_amount=None,
    approval: str = Approval.NONE,
    approval_decision: str = "",
    approval_date=None,
) -> RevenueSource:
    """Registers a use of the common parts. Recording one without the owners' approval is
    allowed (it is the fact on the ground) — the daily check turns it into a B2 case."""
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        source = RevenueSource(
            estate=estate,
            kind=_choice(kind, RevenueKind, "收益类型"),
            common_part=_text(common_part),
            counterparty=_text(counterparty, 100),
            contract_start=_date(contract_start, label="合同开始日期", required=False),
            contract_end=_date(contract_end, label="合同结束日期", required=False),
            contract_amount=(
                parse_amount(contract_amount, label="合同约定收入", allow_zero=True)
                if contract_amount not in (None, "")
                else None
            ),
            approval=_choice(approval or Approval.NONE, Approval, "业主同意情况"),
            approval_decision=_text(approval_decision),
            approval_date=_date(approval_date, label="同意日期", required=False),
            created_by=user,
        )
        if not source.common_part:
            raise InvalidInput("请填写利用的共用部位或设施。")
        if source.contract_start and source.contract_end and source.contract_end < source.contract_start:
            raise InvalidInput("合同结束日期不能早于开始日期。")
        if source.approval != Approval.NONE and not source.approval_decision:
            raise InvalidInput("已经业主同意的，请填写业主大会决议或业主书面同意文件。")
        source.save()
        _event(
            estate=estate,
            user=user,
            kind=RevenueEventKind.SOURCE,
            note=f"登记经营项目：{source}",
            data={"source_id": source.pk, "approval": source.approval},
        )
    return source


# ---------------------------------------------------------------------------------------------
# Entries


@audited("public_revenue.RevenueEvent")
def entry_create(
    *,
    user: User,
    estate_id: int,
    direction: str,
    kind: str,
    occurred_on,
    amount,
    source_id=None,
    counterparty: str = "",
    allocation_basis: str = "",
    basis_reference: str = "",
    note: str = "",
    voucher=None,
    import_key: str = "",
) -> RevenueEntry:
    """Records one income or spending line. Spending may be recorded without an allocation
    basis (the fact on the ground); the daily check reports it."""
    today = timezone.localdate()
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        entry = _build_entry(
            estate=estate,
            user=user,
            direction=direction,
            kind=kind,
            occurred_on=occurred_on,
            amount=amount,
            source_id=source_id,
            counterparty=counterparty,
            allocation_basis=allocation_basis,
            basis_reference=basis_reference,
            note=note,
            today=today,
        )
        upload, content_type = _one_file(voucher, label="凭证")
        if upload is not None:
            entry.voucher_name = upload.name
            entry.voucher_content_type = content_type
            entry.voucher.save(upload.name, upload, save=False)
        entry.import_key = import_key
        entry.save()
        _event(
            estate=estate,
            user=user,
            kind=RevenueEventKind.ENTRY,
            note=f"{entry.get_direction_display()} {entry.kind_display} {entry.amount} 元（{entry.occurred_on}）",
            data={"entry_id": entry.pk, "amount": str(entry.amount), "direction": entry.direction},
        )
    return entry


def _build_entry(
    *,
    estate,
    user,
    direction,
    kind,
    occurred_on,
    amount,
    source_id,
    counterparty,
    allocation_basis,
    basis_reference,
    note,
    today,
) -> RevenueEntry:
    direction = _choice(direction, Direction, "收支方向")
    entry = RevenueEntry(estate=estate, direction=direction, created_by=user)
    if direction == Direction.INCOME:
        entry.income_kind = _choice(kind, RevenueKind, "收入类型")
    else:
        entry.spending_kind = _choice(kind, SpendingKind, "支出类型")
        entry.allocation_basis = _choice(allocation_basis, AllocationBasis, "分配使用依据", required=False)
    entry.occurred_on = _date(occurred_on, label="发生日期")
    _not_future(entry.occurred_on, "发生日期", today)
    entry.amount = parse_amount(amount)
    if source_id not in (None, ""):
        try:
            source_pk = int(source_id)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("请选择有效的经营项目。") from exc
        source = RevenueSource.objects.filter(pk=source_pk, estate=estate).first()
        if source is None:
            raise InvalidInput("经营项目不属于该小区。")
        entry.source = source
        if direction == Direction.INCOME and not entry.income_kind:
            entry.income_kind = source.kind
    entry.counterparty = _text(counterparty, 100)
    entry.basis_reference = _text(basis_reference)
    entry.note = _text(note)
    return entry


# ---------------------------------------------------------------------------------------------
# Disclosures


@audited("public_revenue.RevenueEvent")
def disclosure_create(
    *,
    user: User,
    estate_id: int,
    period_start,
    posted_location: str,
    posted_on,
    photo,
    posted_on_platform: bool = False,
    note: str = "",
) -> Disclosure:
    """Records the disclosure (公示) of one ended period with a photo of the posted notice. Its
    totals are the ledger's sums for the period at this moment. Opening or closing cases is not
    its business: a late disclosure leaves the B3 case the check opened to the ledger's walk."""
    today = timezone.localdate()
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        rule = selectors.rule_for_estate(estate)
        start = _date(period_start, label="公示期间")
        if not is_period_start(start, rule.period_months):
            raise InvalidInput(f"公示期间应按{rule.period_months}个月为一期、从期初第一天开始。")
        start, end = period_containing(start, rule.period_months)
        if end > today:
            raise InvalidInput(f"{period_label(start, end)}尚未结束，不能为未来或未结束的期间登记公示。")
        posted = _date(posted_on, label="公示日期")
        _not_future(posted, "公示日期", today)
        if posted < end:
            raise InvalidInput("公示日期不能早于公示期间的结束日期。")
        location = _text(posted_location)
        if not location:
            raise InvalidInput("请填写公示位置（如小区公告栏、单元楼道等醒目位置）。")
        if photo is None:
            raise InvalidInput("请上传公示现场照片。")
        upload, content_type = _one_file(photo, label="公示照片", images_only=True)
        if Disclosure.objects.filter(estate=estate, period_start=start).exists():
            raise Conflict(f"该小区{period_label(start, end)}已登记公示。")
        totals = selectors.ledger_totals(estate_id=estate.pk, start=start, end=end)
        disclosure = Disclosure(
            estate=estate,
            period_start=start,
            period_end=end,
            deadline=deadline_for(end, rule),
            income_total=totals["income_total"],
            spending_total=totals["spending_total"],
            enterprise_share_total=totals["enterprise_share_total"],
            balance=totals["balance"],
            totals_by_kind={
                "income": {k: str(v) for k, v in totals["income_by_kind"].items()},
                "spending": {k: str(v) for k, v in totals["spending_by_kind"].items()},
            },
            posted_location=location,
            posted_on_platform=bool(posted_on_platform),
            posted_on=posted,
            photo_content_type=content_type,
            photo_name=upload.name,
            note=_text(note),
            created_by=user,
        )
        disclosure.photo.save(upload.name, upload, save=False)
        try:
            with transaction.atomic():
                disclosure.save()
        except IntegrityError as exc:
            raise Conflict(f"该小区{period_label(start, end)}已登记公示。") from exc
        _event(
            estate=estate,
            user=user,
            kind=RevenueEventKind.DISCLOSURE,
            note=f"登记{disclosure.period_label}公示{'（逾期）' if disclosure.is_late else ''}",
            data={
                "disclosure_id": disclosure.pk,
                "income_total": str(disclosure.income_total),
                "spending_total": str(disclosure.spending_total),
            },
        )
    return disclosure


@audited("public_revenue.RevenueEvent")
def disclosure_review(*, user: User, disclosure_id: int, note: str = "") -> Disclosure:
    """A town or the county marks a disclosure as reviewed (已审阅), with an optional remark."""
    require(user, "revenue.review", message="只有县专班和镇（街道）可以审阅公示。")
    with transaction.atomic():
        disclosure = Disclosure.objects.visible_to(user).select_for_update().filter(pk=disclosure_id).first()
        if disclosure is None:
            raise NotFound()
        disclosure.reviewed_by = user
        disclosure.reviewed_at = timezone.now()
        disclosure.review_note = _text(note)
        disclosure.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        _event(
            estate=disclosure.estate,
            user=user,
            kind=RevenueEventKind.REVIEW,
            note=f"审阅{disclosure.period_label}公示 {disclosure.review_note}".strip(),
            data={"disclosure_id": disclosure.pk},
        )
    return disclosure
