"""Writes of the rectification ledger. Every function is keyword-only, runs in one transaction,
checks scope, role and state, writes its timeline event, and raises a core.errors.DomainError
with a Chinese message on refusal. State changes go through case_transition only."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.capabilities import require
from accounts.models import Role, User
from campaigns.models import Campaign, ProblemCategory
from communities.models import Estate, Region
from core.errors import Conflict, DomainError, InvalidState, NotFound
from core.files import validate_uploads
from core.notifications import notification_send
from core.workdays import add_working_days

from . import hooks
from .models import (
    OPEN_STATES,
    Case,
    CaseAttachment,
    CaseClue,
    CaseEvent,
    CaseEventKind,
    CaseState,
    ClueSource,
    EstatePlan,
    PlanStatus,
    SupervisionAction,
    SupervisionKind,
    SupervisionLevel,
    TransferTarget,
    TypicalCase,
    VerificationResult,
)
from .states import FIELD_LABELS, TRANSITIONS, Transition


class MissingField(DomainError):
    status_code = 400
    default_message = "请填写必填项。"


# ---------------------------------------------------------------------------------------------
# Opening cases from clues


def case_open_or_join(
    *,
    estate: Estate,
    category: ProblemCategory,
    campaign: Campaign | None,
    source: str,
    reference: str = "",
    description: str = "",
    complainant_count: int | None = None,
    received_at: datetime | None = None,
    source_app_label: str = "",
    source_object_id: str | int = "",
    is_corruption_clue: bool = False,
    user: User | None = None,
) -> tuple[Case, CaseClue, bool]:
    """Records one clue (线索) and attaches it to a case: the open case of the same estate and
    category if there is one (多人同诉: its complainant_count grows by this clue's count),
    otherwise a new case in 待核查.

    - `source` is a rectification.models.ClueSource value; `reference` is the channel's own
      number (12345 工单号, 信访件编号, …); (source_app_label, source_object_id) point back at the
      calling app's row, e.g. ("complaints", complaint.pk).
    - `complainant_count` defaults to 1 for complaints and 0 for other sources.
    - `user` is the staff member registering the clue; when given, the estate must be within
      their scope and their role must be allowed to write. System callers (the complaints
      intake, automatic checks) pass user=None.

    Returns (case, clue, created). Runs in its own transaction (or joins the caller's) and locks
    the estate row, so two simultaneous clues of one estate never open two cases."""
    if source not in ClueSource.values:
        raise DomainError("未知的线索来源。")
    if user is not None:
        require(user, "case.open", message="只读账号不能登记案件。")
        if not Estate.objects.visible_to(user).filter(pk=estate.pk).exists():
            raise NotFound("小区不存在或不在您的管辖范围内。")
    if complainant_count is None:
        complainant_count = 1 if source == ClueSource.COMPLAINT else 0
    received_at = received_at or timezone.now()
    with transaction.atomic():
        estate = Estate.objects.select_for_update().select_related("community").get(pk=estate.pk)
        case = (
            Case.objects.select_for_update()
            .filter(estate=estate, category=category, state__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        created = case is None
        if created:
            case = Case.objects.create(
                estate=estate,
                region_path=estate.community.path,
                enterprise_id=estate.enterprise_id,
                category=category,
                campaign=campaign,
                description=description or category.label,
                source=source,
                complainant_count=complainant_count,
                is_corruption_clue=is_corruption_clue,
                created_by=user,
            )
        else:
            changes = {"complainant_count": F("complainant_count") + complainant_count}
            if is_corruption_clue:
                changes["is_corruption_clue"] = True
            Case.objects.filter(pk=case.pk).update(**changes)
            case.refresh_from_db()
        clue = CaseClue.objects.create(
            case=case,
            source=source,
            reference=reference,
            description=description,
            source_app_label=source_app_label,
            source_object_id=str(source_object_id or ""),
            complainant_count=complainant_count,
            received_at=received_at,
        )
        CaseEvent.objects.create(
            case=case,
            actor=user,
            kind=CaseEventKind.CREATED if created else CaseEventKind.CLUE_JOINED,
            label="登记案件" if created else "并案（多人同诉）",
            from_state="" if created else case.state,
            to_state=case.state,
            note=description if not created else "",
            data={
                "clue_id": clue.pk,
                "source": source,
                "reference": reference,
                "complainant_count": complainant_count,
            },
        )
    return case, clue, created


def case_default_deadline_set(*, case: Case, deadline: date, user: User | None, note: str, source: str) -> bool:
    """Gives a case that has no deadline yet the default deadline of the clue that opened it
    (an inspection's 15 working days, a self-check's 30), with its timeline event. A case that
    already has a deadline keeps it. Returns True if it set one."""
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, deadline__isnull=True).update(deadline=deadline, version=F("version") + 1)
        if not updated:
            return False
        case.refresh_from_db(fields=["deadline", "version"])
        CaseEvent.objects.create(
            case=case, actor=user, kind=CaseEventKind.ACTION, transition="set_deadline", label="设定完成时限",
            from_state=case.state, to_state=case.state, note=note, data={"deadline": deadline.isoformat(), "source": source},
        )
    return True


# ---------------------------------------------------------------------------------------------
# The state machine


def _parse_date(raw, label: str) -> date | None:
    """A date from a form or JSON value; blank is None; anything else unreadable (including
    2025-13-01, which parse_date raises on) is refused with a Chinese message."""
    if isinstance(raw, date):
        return raw
    text = _clean_text(raw)
    if not text:
        return None
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        raise MissingField(f"{label}的日期不正确，请使用 YYYY-MM-DD 格式填写真实存在的日期。")
    return value


def _clean_text(value) -> str:
    return str(value).strip() if value is not None else ""


def _clean_value(name: str, raw, *, user: User, case: Case, spec: Transition):
    label = FIELD_LABELS.get(name, name)
    if name == "deadline":
        value = _parse_date(raw, "完成时限")
        if value is not None and value < timezone.localdate():
            raise MissingField("完成时限不能早于今天。")
        return value
    if name == "verification_result":
        value = _clean_text(raw)
        allowed = spec.allowed_values.get(name, VerificationResult.values)
        if value and value not in allowed:
            raise MissingField(f"核查结果只能是：{'、'.join(VerificationResult(v).label for v in allowed)}。")
        return value
    if name == "verifying_unit":
        if isinstance(raw, Region):
            raw = raw.pk
        if not _clean_text(raw):
            return None
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise MissingField("核查单位无效。") from None
        region = Region.objects.visible_to(user).filter(pk=pk).first()
        if region is None or not case.region_path.startswith(region.path):
            raise MissingField("核查单位须为案件所在的镇/街道或社区，且在您的管辖范围内。")
        return region
    if name == "duplicate_of":
        if not _clean_text(raw):
            return None
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise MissingField("重复案件编号无效。") from None
        if pk == case.pk or not Case.objects.visible_to(user).filter(pk=pk).exists():
            raise MissingField("重复案件不存在或不在您的管辖范围内。")
        return pk
    value = _clean_text(raw)
    if len(value) > 2000:
        raise MissingField(f"{label}过长（最多 2000 字）。")
    return value


def _clean(spec: Transition, data: dict, *, user: User, case: Case) -> dict:
    data = dict(data or {})
    if "deadline" in spec.required + spec.optional and not data.get("deadline") and data.get("deadline_workdays"):
        try:
            workdays = int(data["deadline_workdays"])
        except (TypeError, ValueError):
            raise MissingField("工作日天数须为整数。") from None
        if not 1 <= workdays <= 365:
            raise MissingField("工作日天数须在 1 到 365 之间。")
        data["deadline"] = add_working_days(timezone.localdate(), workdays)
    cleaned = {}
    for name in spec.required + spec.optional:
        cleaned[name] = _clean_value(name, data.get(name), user=user, case=case, spec=spec)
    missing = [FIELD_LABELS.get(n, n) for n in spec.required if cleaned.get(n) in (None, "")]
    if missing:
        raise MissingField(f"“{spec.label}”需要填写：{'、'.join(missing)}。")
    return cleaned


def _lock_case(*, case_id, user: User) -> Case:
    case = Case.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内。")
    return case


def _apply(case: Case, spec: Transition, cleaned: dict) -> None:
    name = spec.name
    if name == "assign":
        case.verifying_unit = cleaned["verifying_unit"]
        if cleaned.get("verifying_person"):
            case.verifying_person = cleaned["verifying_person"]
    elif name == "start_verification":
        if cleaned.get("verifying_person"):
            case.verifying_person = cleaned["verifying_person"]
    elif name == "confirm":
        for field in ("verification_result", "verification_note", "measures", "responsible_unit", "responsible_person", "deadline"):
            setattr(case, field, cleaned[field])
    elif name == "not_true":
        case.verification_result = VerificationResult.NOT_TRUE
        case.verification_note = cleaned["reason"]
    elif name in ("set_deadline", "return", "reopen") and cleaned.get("deadline"):
        case.deadline = cleaned["deadline"]
    if spec.target == CaseState.CLOSED:
        case.closed_at = timezone.now()
    elif name == "reopen":
        case.closed_at = None


def _event_data(cleaned: dict) -> dict:
    data = {}
    for key, value in cleaned.items():
        if value in (None, ""):
            continue
        if isinstance(value, Region):
            data[key] = value.pk
            data[f"{key}_name"] = value.name
        elif isinstance(value, date):
            data[key] = value.isoformat()
        else:
            data[key] = value
    return data


def case_transition(
    *,
    case_id: int,
    user: User,
    transition: str,
    data: dict | None = None,
    files=None,
    expected_version: int | None = None,
) -> Case:
    """The only way a case changes state (and the way every other case edit is logged). Locks
    the case, checks scope (404), role (403), the version the user saw and the from-state (409),
    the transition's required fields and evidence (400); then applies the change, bumps
    `version` and writes exactly one CaseEvent with the uploaded files attached."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise DomainError("未知的操作。")
    require(user, "data.write", message="只读账号不能办理案件。")
    if expected_version is not None:
        try:
            expected_version = int(expected_version)
        except (TypeError, ValueError):
            raise MissingField("版本号无效，请刷新后重试。") from None
    uploads = validate_uploads(files) if spec.accepts_files or spec.needs_evidence else []
    if files and not (spec.accepts_files or spec.needs_evidence):
        raise MissingField(f"“{spec.label}”不接受上传文件。")
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        require(user, spec.capability, f"执行“{spec.label}”")
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"该案件已被他人办理（当前状态：{case.get_state_display()}），请刷新后查看。")
        if case.state not in spec.sources:
            raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能执行“{spec.label}”。")
        cleaned = _clean(spec, data or {}, user=user, case=case)
        if spec.needs_evidence and not uploads and not case.attachments.exists():
            raise MissingField(f"“{spec.label}”需要至少一份整改佐证材料（照片或 PDF）。")
        from_state = case.state
        _apply(case, spec, cleaned)
        if spec.target:
            case.state = spec.target
        case.version += 1
        case.save()
        note = cleaned.get("reason") or cleaned.get("note") or ""
        event = CaseEvent.objects.create(
            case=case,
            actor=user,
            kind=CaseEventKind.TRANSITION if spec.target else CaseEventKind.ACTION,
            transition=spec.name,
            label=spec.label,
            from_state=from_state,
            to_state=case.state,
            note=note,
            data=_event_data(cleaned),
        )
        for upload, content_type in uploads:
            CaseAttachment.objects.create(
                case=case,
                event=event,
                file=upload,
                original_name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=user,
            )
        if spec.target and spec.target != from_state:
            hooks.case_transitioned(case=case, user=user, event=event, from_state=from_state)
    return case


def case_bulk_transition(*, case_ids: list[int], user: User, transition: str, data: dict) -> tuple[list[int], list[tuple[int, str]]]:
    """Applies one non-state-changing working-group action (分派核查单位 / 设定完成时限) to each
    selected case through case_transition, each in its own transaction and in primary-key order
    (a fixed lock order). Returns (done ids, [(id, refusal message)])."""
    from .states import BULK_TRANSITIONS

    if transition not in BULK_TRANSITIONS:
        raise DomainError("该操作不支持批量办理。")
    require(user, "case.bulk", message="只有县专班可以批量办理。")
    done, refused = [], []
    for case_id in sorted({int(i) for i in case_ids}):
        try:
            case_transition(case_id=case_id, user=user, transition=transition, data=data)
            done.append(case_id)
        except DomainError as exc:
            refused.append((case_id, exc.message))
    return done, refused


# ---------------------------------------------------------------------------------------------
# Overdue


def case_responsible_users(case: Case):
    """Town and community officers whose region contains the case, and the enterprise's users."""
    path = case.region_path
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
    query = Q(role__in=(Role.TOWN, Role.COMMUNITY), region__path__in=prefixes)
    if case.enterprise_id:
        query |= Q(role=Role.ENTERPRISE, enterprise_id=case.enterprise_id)
    return User.objects.filter(query, is_active=True)


def case_record_overdue(*, case_id: int, today: date) -> bool:
    """Records the start of one overdue episode (deadline passed, case still open): one 超期
    event and notifications. Safe to run any number of times: the episode is claimed with a
    conditional update on `overdue_recorded_for_deadline`; a new deadline is a new episode.
    Returns True if this call recorded it."""
    with transaction.atomic():
        claimed = (
            Case.objects.filter(pk=case_id, state__in=OPEN_STATES, deadline__lt=today)
            .filter(Q(overdue_recorded_for_deadline__isnull=True) | ~Q(overdue_recorded_for_deadline=F("deadline")))
            .update(overdue_recorded_for_deadline=F("deadline"))
        )
        if not claimed:
            return False
        case = Case.objects.select_related("estate", "category").get(pk=case_id)
        days = (today - case.deadline).days
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.OVERDUE,
            label="超期",
            from_state=case.state,
            to_state=case.state,
            note=f"已超过完成时限（{case.deadline:%Y-%m-%d}）{days} 天。",
            data={"deadline": case.deadline.isoformat(), "recorded_on": today.isoformat()},
        )
        notification_send(
            users=case_responsible_users(case),
            title=f"案件超期：{case.estate.name} · {case.category.label}",
            body=f"案件 {case.number} 已超过完成时限（{case.deadline:%Y-%m-%d}），请尽快办理。",
            url=f"/rectification/cases/{case.pk}/",
        )
    return True


# ---------------------------------------------------------------------------------------------
# Supervision (督办)

SUPERVISION_REQUIRED = {
    SupervisionKind.INTERVIEW: ("participants", "outcome"),
    SupervisionKind.LISTED_SUPERVISION: ("level", "deadline"),
    SupervisionKind.ONSITE_VISIT: ("participants", "outcome"),
    SupervisionKind.RECTIFICATION_ORDER: ("decision_number", "deadline"),
    SupervisionKind.PENALTY: ("decision_number", "amount", "basis"),
    SupervisionKind.TRANSFER: ("transfer_target",),
    SupervisionKind.BLACKLIST_NOMINATION: ("basis",),
}
SUPERVISION_LABELS = {
    "occurred_on": "日期",
    "participants": "对象/参加人员",
    "outcome": "情况/结果",
    "level": "督办级别",
    "deadline": "督办时限",
    "decision_number": "决定书文号",
    "amount": "罚款金额",
    "basis": "依据",
    "transfer_target": "移送单位",
}
SUPERVISION_TEXT_FIELDS = ("participants", "outcome", "decision_number", "basis")


def supervision_record(*, case_id: int, user: User, kind: str, data: dict, files: dict | None = None) -> SupervisionAction:
    """Records one supervision step (约谈, 挂牌督办, 实地督导, 责令限期改正, 行政处罚, 移送,
    黑名单提名) on an open case, with its timeline event. Only the county working group."""
    if kind not in SupervisionKind.values:
        raise DomainError("未知的督办方式。")
    require(user, "case.supervise", "登记督办")
    files = files or {}
    data = dict(data or {})
    cleaned: dict = {}
    occurred = data.get("occurred_on")
    cleaned["occurred_on"] = _parse_date(occurred, SUPERVISION_LABELS["occurred_on"]) or timezone.localdate()
    for name in SUPERVISION_TEXT_FIELDS:
        cleaned[name] = _clean_text(data.get(name))
    level = _clean_text(data.get("level"))
    if level and level not in SupervisionLevel.values:
        raise MissingField("督办级别无效。")
    cleaned["level"] = level
    target = _clean_text(data.get("transfer_target"))
    if target and target not in TransferTarget.values:
        raise MissingField("移送单位无效。")
    cleaned["transfer_target"] = target
    deadline = data.get("deadline")
    cleaned["deadline"] = _parse_date(deadline, SUPERVISION_LABELS["deadline"])
    amount = data.get("amount")
    if amount not in (None, ""):
        try:
            cleaned["amount"] = Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise MissingField("罚款金额须为数字。") from None
        if cleaned["amount"] < 0:
            raise MissingField("罚款金额不能为负数。")
    else:
        cleaned["amount"] = None
    missing = [SUPERVISION_LABELS[n] for n in SUPERVISION_REQUIRED[kind] if cleaned.get(n) in (None, "")]
    if missing:
        raise MissingField(f"“{SupervisionKind(kind).label}”需要填写：{'、'.join(missing)}。")
    uploads = {}
    for key in ("minutes_file", "receipt_file"):
        if files.get(key):
            [(checked, _content_type)] = validate_uploads([files[key]])
            uploads.update({key: checked, f"{key}_name": checked.name})
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        if not case.is_open:
            raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能登记督办。")
        if kind == SupervisionKind.BLACKLIST_NOMINATION and not case.enterprise_id:
            raise MissingField("该案件没有关联物业服务企业，不能提名黑名单。")
        action = SupervisionAction.objects.create(case=case, kind=kind, recorded_by=user, **cleaned, **uploads)
        if kind == SupervisionKind.TRANSFER and target == TransferTarget.DISCIPLINE and not case.is_corruption_clue:
            case.is_corruption_clue = True
            case.save(update_fields=["is_corruption_clue", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            actor=user,
            kind=CaseEventKind.SUPERVISION,
            transition=kind,
            label=SupervisionKind(kind).label,
            from_state=case.state,
            to_state=case.state,
            note=cleaned["outcome"] or cleaned["basis"],
            data={"supervision_id": action.pk, **_event_data({k: v for k, v in cleaned.items() if k != "amount"}),
                  **({"amount": str(cleaned["amount"])} if cleaned["amount"] is not None else {})},
        )
        # 约谈 / 责令限期改正 / 行政处罚 / 黑名单提名 enter the enterprise's credit file here, in
        # the same transaction, so the case and the credit file cannot disagree.
        from enterprises.services import credit_event_from_supervision

        credit_event_from_supervision(action=action, user=user)
    return action


def supervision_lift(*, supervision_id: int, user: User, note: str = "") -> SupervisionAction:
    """Lifts a listed supervision (解除挂牌督办), with its timeline event."""
    require(user, "case.supervise", "解除挂牌督办")
    with transaction.atomic():
        action = (
            SupervisionAction.objects.select_for_update()
            .filter(pk=supervision_id, case__in=Case.objects.visible_to(user))
            .first()
        )
        if action is None:
            raise NotFound()
        if action.kind != SupervisionKind.LISTED_SUPERVISION:
            raise InvalidState("只有挂牌督办可以解除。")
        if action.lifted_at is not None:
            raise Conflict("该挂牌督办已解除。")
        action.lifted_at = timezone.now()
        action.save(update_fields=["lifted_at"])
        CaseEvent.objects.create(
            case_id=action.case_id,
            actor=user,
            kind=CaseEventKind.SUPERVISION_LIFTED,
            label="解除挂牌督办",
            note=_clean_text(note),
            data={"supervision_id": action.pk},
        )
        # Lifted after its deadline: 挂牌督办未按期解除 enters the credit file (once).
        from enterprises.services import credit_record_overdue_supervision

        credit_record_overdue_supervision(supervision_id=action.pk, today=timezone.localdate(), user=user)
    return action


# ---------------------------------------------------------------------------------------------
# One estate, one plan (一小区一方案)


def plan_create(*, user: User, estate_id: int, title: str, content: str, case_ids: list[int]) -> EstatePlan:
    """Drafts a plan for an estate covering some of its cases. County working group only."""
    require(user, "plan.edit", "编制一小区一方案")
    title, content = _clean_text(title), _clean_text(content)
    if not title or not content:
        raise MissingField("请填写方案名称和方案内容。")
    with transaction.atomic():
        estate = Estate.objects.visible_to(user).filter(pk=estate_id).first()
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        cases = list(Case.objects.visible_to(user).filter(estate=estate, pk__in=case_ids or []))
        plan = EstatePlan.objects.create(estate=estate, title=title, content=content, created_by=user)
        plan.cases.set(cases)
    return plan


def _lock_plan(*, plan_id: int, user: User) -> EstatePlan:
    plan = EstatePlan.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("方案不存在或不在您的管辖范围内。")
    return plan


def plan_approve(*, user: User, plan_id: int) -> EstatePlan:
    require(user, "plan.approve", "审定方案")
    with transaction.atomic():
        plan = _lock_plan(plan_id=plan_id, user=user)
        if plan.status != PlanStatus.DRAFT:
            raise InvalidState(f"方案当前为“{plan.get_status_display()}”，不能审定。")
        plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, user, timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
    return plan


def plan_publish(*, user: User, plan_id: int) -> EstatePlan:
    """Publishes an approved plan on the estate's public page (no personal data is shown)."""
    require(user, "plan.approve", "公开方案")
    with transaction.atomic():
        plan = _lock_plan(plan_id=plan_id, user=user)
        if plan.status != PlanStatus.APPROVED:
            raise InvalidState("方案须先审定才能公开。")
        plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
        plan.save(update_fields=["status", "published_at"])
    return plan


# ---------------------------------------------------------------------------------------------
# Typical cases (典型案例)

TYPICAL_FIELDS = {"title": "案例标题", "basic_facts": "基本案情", "violation": "违法违规情形",
                  "legal_basis": "法律依据", "handling_result": "处理结果"}


def typical_case_mark(*, user: User, case_id: int, data: dict) -> TypicalCase:
    """Marks a case as typical (or updates its write-up), with a timeline event."""
    require(user, "case.mark_typical", "选定典型案例")
    cleaned = {name: _clean_text((data or {}).get(name)) for name in TYPICAL_FIELDS}
    missing = [label for name, label in TYPICAL_FIELDS.items() if not cleaned[name]]
    if missing:
        raise MissingField(f"典型案例需要填写：{'、'.join(missing)}。")
    is_published = str((data or {}).get("is_published", "")).lower() in ("1", "true", "on", "yes")
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        typical, created = TypicalCase.objects.update_or_create(
            case=case, defaults={**cleaned, "is_published": is_published, "selected_by": user}
        )
        CaseEvent.objects.create(
            case=case, actor=user, kind=CaseEventKind.TYPICAL,
            label="选定典型案例" if created else "修改典型案例",
            from_state=case.state, to_state=case.state, note=cleaned["title"],
            data={"typical_case_id": typical.pk, "is_published": is_published},
        )
    return typical
