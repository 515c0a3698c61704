"""Writes of the estate registers. Every function is keyword-only, runs in one transaction, checks
the capability and the scope (an enterprise user only for the estates it serves), writes its
RegisterEvent and raises a core.errors.DomainError with a Chinese message on refusal.

One workflow for every register: a row saved by `register.write` (the enterprise, the community,
the town or the county) is 待审核; the town (`register.review`) approves it or returns it with a
reason; any later change sends it back to 待审核.

One source of truth for the estate's summary fields: once an estate has lifts in the register,
Estate.elevator_count / oldest_elevator_year are the count and the oldest install year of its
in-service lifts that are not returned (estate_lifts_sync); once it has contracts, Estate.
contract_start / contract_end / contract_filing_number / service_level are those of its latest
contract (by start date) that is not returned (estate_contract_sync). Both run in the same
transaction as every lift or contract write and review."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone

from accounts.capabilities import can, require
from accounts.models import User
from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for
from communities.models import Estate
from core.audit import audited, not_audited
from core.errors import DomainError, InvalidInput, InvalidState, MissingField, NotFound, PermissionDenied
from core.files import InvalidUpload, validate_uploads
from enterprises.models import Enterprise
from rectification.models import ClueSource
from rectification.services import ClueInput, clues_intake

from .models import (
    FeeDisclosure,
    FundAccount,
    FundCollection,
    FundUse,
    FundUseDocument,
    Lift,
    ParkingDispute,
    ParkingRegister,
    RegisterEvent,
    RegisterRow,
    ReviewStatus,
    ServiceContract,
)
from .registry import BY_MODEL, register_for

#: the taxonomy category a parking dispute is recorded under (钟山 (四) 小区停车难)
PARKING_CATEGORY = "D"


# ---------------------------------------------------------------------------------------------
# Scope and the shared save


def _estate_for_write(*, user: User, estate_id) -> Estate:
    if not can(user, "data.write"):
        raise PermissionDenied("只读账号不能登记小区专项台账。")
    require(user, "register.write", message="您的角色不能登记小区专项台账。")
    try:
        estate_pk = int(estate_id)
    except (TypeError, ValueError) as exc:
        raise NotFound("小区不存在或不在您的服务/管辖范围内。") from exc
    estate = Estate.objects.visible_to(user).select_related("community").filter(pk=estate_pk).first()
    if estate is None:
        raise NotFound("小区不存在或不在您的服务/管辖范围内。")
    return estate


def _event(row: RegisterRow, *, user: User | None, kind: str, from_state: str = "", note: str = "",
           data: dict | None = None) -> None:
    RegisterEvent.objects.create(
        estate_id=row.estate_id, register=BY_MODEL[type(row)].slug, object_id=row.pk, actor=user, kind=kind,
        from_state=from_state, to_state=row.status, note=note[:300], data=data or {},
    )


def _row_save(*, user: User, model: type[RegisterRow], estate_id, pk: int | None, values: dict,
              sync=None) -> RegisterRow:
    """Creates or changes one row of `model` on the estate, back to 待审核, with its event."""
    register = BY_MODEL[model]
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        if pk is not None:
            row = model.objects.visible_to(user).select_for_update().filter(pk=pk, estate=estate).first()
            if row is None:
                raise NotFound("记录不存在或不在您的管辖范围内。")
        elif register.one_per_estate:
            row = model.objects.select_for_update().filter(estate=estate).first() or model(estate=estate)
        else:
            row = model(estate=estate)
        tracked = [name for name in values if name != "photo"]
        before = {name: _plain(getattr(row, name, None)) for name in tracked} if row.pk else {}
        from_state = row.status if row.pk else ""
        for name, value in values.items():
            setattr(row, name, value)
        row.status = ReviewStatus.SUBMITTED
        row.entered_by = user
        row.entered_at = timezone.now()
        row.reviewed_by, row.reviewed_at, row.review_note = None, None, ""
        try:
            row.full_clean(exclude=["entered_by", "reviewed_by", "photo"])
        except ValidationError as exc:
            raise InvalidInput(_messages(model, exc)) from None
        created = row.pk is None
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise InvalidInput("与已有记录重复或不符合填写规则，请核对后再提交。") from exc
        changed = {
            name: [before.get(name), _plain(values[name])]
            for name in tracked if not created and before.get(name) != _plain(values[name])
        }
        _event(row, user=user, kind="created" if created else "changed", from_state=from_state,
               note="登记" if created else "修改（重新提交审核）", data={"changed": changed} if changed else {})
        if sync is not None:
            sync(estate.pk)
    return row


def _messages(model, exc: ValidationError) -> str:
    parts = []
    for field, errors in exc.message_dict.items():
        label = "" if field == "__all__" else str(model._meta.get_field(field).verbose_name) + "："
        parts.extend(f"{label}{message}" for message in errors)
    return "；".join(parts) or "填写的内容有误。"


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _not_future(value: date | None, label: str) -> None:
    if value is not None and value > timezone.localdate():
        raise InvalidInput(f"{label}不能晚于今天。")


# ---------------------------------------------------------------------------------------------
# Review


@audited("estate_registers.RegisterEvent")
def register_review(*, user: User, register: str, pk: int, approve: bool, reason: str = "") -> RegisterRow:
    """The town approves a 待审核 row, or returns it with a reason."""
    spec = register_for(register)
    if spec is None:
        raise NotFound("台账不存在。")
    require(user, "register.review", message="只有镇（街道）可以审核小区专项台账。")
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise MissingField("退回时请填写退回原因。")
    with transaction.atomic():
        row = spec.model.objects.visible_to(user).select_for_update().filter(pk=pk).first()
        if row is None:
            raise NotFound("记录不存在或不在您的管辖范围内。")
        if row.status != ReviewStatus.SUBMITTED:
            raise InvalidState(f"该记录{row.get_status_display()}，不能再审核。")
        from_state = row.status
        row.status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
        row.reviewed_by, row.reviewed_at, row.review_note = user, timezone.now(), reason
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        _event(row, user=user, kind="approved" if approve else "returned", from_state=from_state,
               note=reason or "审核通过")
        if spec.model is Lift:
            estate_lifts_sync(row.estate_id)
        elif spec.model is ServiceContract:
            estate_contract_sync(row.estate_id)
    return row


# ---------------------------------------------------------------------------------------------
# The estate's summary fields follow the registers


@not_audited("recomputes the estate's derived lift fields inside a register write, whose RegisterEvent covers it")
def estate_lifts_sync(estate_id: int) -> None:
    lifts = Lift.objects.filter(estate_id=estate_id)
    if not lifts.exists():
        return
    summary = lifts.filter(in_service=True).exclude(status=ReviewStatus.RETURNED).aggregate(
        count=Count("pk"), oldest=Min("install_year")
    )
    Estate.objects.filter(pk=estate_id).update(elevator_count=summary["count"], oldest_elevator_year=summary["oldest"])


@not_audited("recomputes the estate's derived contract fields inside a register write, whose RegisterEvent covers it")
def estate_contract_sync(estate_id: int) -> None:
    latest = (
        ServiceContract.objects.filter(estate_id=estate_id).exclude(status=ReviewStatus.RETURNED)
        .order_by("-start", "-pk").first()
    )
    if latest is None:
        if not ServiceContract.objects.filter(estate_id=estate_id).exists():
            return
        Estate.objects.filter(pk=estate_id).update(contract_start=None, contract_end=None, contract_filing_number="",
                                                   service_level="")
        return
    Estate.objects.filter(pk=estate_id).update(
        contract_start=latest.start, contract_end=latest.end, contract_filing_number=latest.filing_number,
        service_level=latest.service_level,
    )


# ---------------------------------------------------------------------------------------------
# 住宅专项维修资金


@audited("estate_registers.RegisterEvent")
def fund_account_save(*, user: User, estate_id: int, pk: int | None = None, deposit_status: str,
                      account_bank: str = "", balance: Decimal | None = None, balance_on: date | None = None,
                      note: str = "") -> FundAccount:
    _not_future(balance_on, "余额日期")
    return _row_save(user=user, model=FundAccount, estate_id=estate_id, pk=pk, values={
        "deposit_status": deposit_status, "account_bank": account_bank, "balance": balance,
        "balance_on": balance_on, "note": note,
    })


@audited("estate_registers.RegisterEvent")
def fund_collection_save(*, user: User, estate_id: int, pk: int | None = None, collected_by: str,
                         collected_on: date, collected_amount: Decimal, transferred_on: date | None = None,
                         transferred_amount: Decimal | None = None, voucher_number: str = "",
                         note: str = "") -> FundCollection:
    _not_future(collected_on, "代收日期")
    _not_future(transferred_on, "上缴日期")
    if transferred_on is not None and transferred_on < collected_on:
        raise InvalidInput("上缴日期不能早于代收日期。")
    return _row_save(user=user, model=FundCollection, estate_id=estate_id, pk=pk, values={
        "collected_by": collected_by, "collected_on": collected_on, "collected_amount": collected_amount,
        "transferred_on": transferred_on, "transferred_amount": transferred_amount or Decimal("0"),
        "voucher_number": voucher_number, "note": note,
    })


@audited("estate_registers.RegisterEvent")
def fund_use_save(*, user: User, estate_id: int, pk: int | None = None, item: str, amount: Decimal,
                  used_on: date, owners_approved_on: date | None = None, approval_basis: str = "",
                  emergency: bool = False, disclosed_on: date | None = None, note: str = "",
                  documents=()) -> FundUse:
    """A use of the fund; `documents` (the owners' approval, the disclosure notice: PDF or photo)
    are stored as FundUseDocument rows through core.files."""
    for value, label in ((used_on, "使用日期"), (owners_approved_on, "业主表决通过日期"), (disclosed_on, "公示日期")):
        _not_future(value, label)
    checked = validate_uploads(list(documents or []))
    with transaction.atomic():
        row = _row_save(user=user, model=FundUse, estate_id=estate_id, pk=pk, values={
            "item": item, "amount": amount, "used_on": used_on, "owners_approved_on": owners_approved_on,
            "approval_basis": approval_basis, "emergency": emergency, "disclosed_on": disclosed_on, "note": note,
        })
        for upload, content_type in checked:
            FundUseDocument.objects.create(fund_use=row, file=upload, original_name=upload.name,
                                           content_type=content_type, size=upload.size, uploaded_by=user)
    return row


# ---------------------------------------------------------------------------------------------
# 电梯


@audited("estate_registers.RegisterEvent")
def lift_save(*, user: User, estate_id: int, pk: int | None = None, registration_number: str, location: str,
              install_year: int, maintenance_company: str, last_maintained_on: date | None = None,
              in_service: bool = True, renewal_status: str = "none", renewal_applied_on: date | None = None,
              funding_source: str = "", note: str = "") -> Lift:
    if install_year > timezone.localdate().year:
        raise InvalidInput("投用年份不能晚于今年。")
    _not_future(last_maintained_on, "最近维保日期")
    _not_future(renewal_applied_on, "更新改造申报日期")
    return _row_save(user=user, model=Lift, estate_id=estate_id, pk=pk, sync=estate_lifts_sync, values={
        "registration_number": registration_number.strip(), "location": location, "install_year": install_year,
        "maintenance_company": maintenance_company, "last_maintained_on": last_maintained_on,
        "in_service": in_service, "renewal_status": renewal_status, "renewal_applied_on": renewal_applied_on,
        "funding_source": funding_source, "note": note,
    })


# ---------------------------------------------------------------------------------------------
# 停车


@audited("estate_registers.RegisterEvent")
def parking_save(*, user: User, estate_id: int, pk: int | None = None, planned_spaces: int, public_spaces: int,
                 sold_spaces: int, rented_spaces: int, monthly_fee: Decimal | None = None, temporary_fee: str = "",
                 rules: str = "", rules_approved: bool = False) -> ParkingRegister:
    return _row_save(user=user, model=ParkingRegister, estate_id=estate_id, pk=pk, values={
        "planned_spaces": planned_spaces, "public_spaces": public_spaces, "sold_spaces": sold_spaces,
        "rented_spaces": rented_spaces, "monthly_fee": monthly_fee, "temporary_fee": temporary_fee,
        "rules": rules, "rules_approved": rules_approved,
    })


@audited("rectification.CaseEvent")
def parking_dispute_record(*, user: User, estate_id: int, kind: str, description: str) -> ParkingDispute:
    """A parking dispute (钟山 (四): 私自出租公共车位、地桩地锁 …) goes to the ledger through the
    one intake: it opens a D case on the estate or joins the open one."""
    require(user, "case.open", message="只读账号不能登记停车纠纷。")
    description = (description or "").strip()
    if not description:
        raise MissingField("请填写纠纷情况。")
    with transaction.atomic():
        estate = _estate_for_write(user=user, estate_id=estate_id)
        category = ProblemCategory.objects.filter(code=PARKING_CATEGORY).first()
        if category is None:
            raise DomainError("问题类别“小区停车难”未配置，请联系系统管理员。")
        dispute = ParkingDispute(estate=estate, kind=kind, description=description[:500], recorded_by=user)
        try:
            dispute.full_clean(exclude=["case", "recorded_by"])
        except ValidationError as exc:
            raise InvalidInput(_messages(ParkingDispute, exc)) from None
        campaign = campaign_for(estate)
        [result] = clues_intake(clues=[ClueInput(
            estate=estate, category=category, source=ClueSource.OTHER,
            campaign_id=campaign.pk if campaign else None,
            reference=f"停车纠纷登记：{dispute.get_kind_display()}", description=f"{dispute.get_kind_display()}：{description}",
            source_app_label="estate_registers",
        )], actor=user)
        dispute.case_id = result.case_id
        dispute.save()
    return dispute


# ---------------------------------------------------------------------------------------------
# 合同备案、收费公示


@audited("estate_registers.RegisterEvent")
def contract_save(*, user: User, estate_id: int, pk: int | None = None, enterprise: Enterprise, kind: str,
                  signed_on: date, start: date, end: date, service_level: str, fee_standard: Decimal,
                  filing_number: str = "", filed_on: date | None = None) -> ServiceContract:
    _not_future(signed_on, "签订日期")
    _not_future(filed_on, "备案日期")
    if filed_on is not None and filed_on < signed_on:
        raise InvalidInput("备案日期不能早于签订日期。")
    return _row_save(user=user, model=ServiceContract, estate_id=estate_id, pk=pk, sync=estate_contract_sync, values={
        "enterprise": enterprise, "kind": kind, "signed_on": signed_on, "start": start, "end": end,
        "service_level": service_level, "fee_standard": fee_standard, "filing_number": filing_number.strip(),
        "filed_on": filed_on,
    })


@audited("estate_registers.RegisterEvent")
def fee_disclosure_save(*, user: User, estate_id: int, pk: int | None = None, disclosed_on: date,
                        fee_charged: Decimal, location: str, note: str = "", photo=None) -> FeeDisclosure:
    """收费公示 with its notice photo (required when new), rebuilt by Pillow (core.images)."""
    _not_future(disclosed_on, "公示日期")
    checked = None
    if photo:
        [(checked, content_type)] = validate_uploads([photo])
        if not content_type.startswith("image/"):
            raise InvalidUpload("公示照片须为 JPG、PNG、GIF 或 WEBP 图片。")
    elif pk is None:
        raise MissingField("请上传公示照片。")
    values = {"disclosed_on": disclosed_on, "fee_charged": fee_charged, "location": location, "note": note}
    if checked is not None:
        values |= {"photo": checked, "photo_name": checked.name}
    return _row_save(user=user, model=FeeDisclosure, estate_id=estate_id, pk=pk, values=values)
