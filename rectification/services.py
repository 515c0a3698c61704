"""Writes of the rectification ledger. Every function is keyword-only, runs in one transaction,
checks scope, role and state, writes its timeline event, and raises a core.errors.DomainError
with a Chinese message on refusal. State changes go through case_transition only."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Role, User
from campaigns.models import Campaign, ProblemCategory
from communities.models import Estate, Region
from core.errors import Conflict, DomainError, InvalidInput, InvalidState, MissingField, NotFound, PermissionDenied
from core.files import validate_uploads
from core.notifications import notification_send

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
)
from .states import COUNTY, TRANSITIONS, VERSION_INVALID, Transition, clean_values

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
        if user.is_read_only:
            raise PermissionDenied("只读账号不能登记案件。")
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


def _checked_date(value, label: str) -> date | None:
    """A date a form or serializer parsed; None stays None, anything else is refused."""
    if value is None or isinstance(value, date):
        return value
    raise InvalidInput(f"{label}的日期不正确，请使用 YYYY-MM-DD 格式填写真实存在的日期。")


def _clean_text(value) -> str:
    return str(value).strip() if value is not None else ""


def _lock_case(*, case_id, user: User) -> Case:
    case = Case.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内。")
    return case


def _apply(case: Case, spec: Transition, cleaned: dict, *, from_state: str) -> None:
    """Writes the transition on the case as its table says: each given value to its field, the
    fixed values, and the time of closing (set on 销号, cleared when a closed case reopens)."""
    for f in spec.value_fields:
        if f.saves_to and cleaned[f.name] not in (None, ""):
            setattr(case, f.saves_to, cleaned[f.name])
    for name, value in spec.sets:
        setattr(case, name, value)
    if spec.target == CaseState.CLOSED:
        case.closed_at = timezone.now()
    elif spec.target and from_state == CaseState.CLOSED:
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
    files: list | None = None,
    expected_version: int | None = None,
    **values: str | date | Region | int | None,
) -> Case:
    """The only way a case changes state (and the way every other case edit is logged). Locks
    the case, checks scope (404), role (403), the version the user saw and the from-state (409),
    the transition's values against its fields in rectification.states (400: InvalidInput for a
    value that is wrong, MissingField for a required one absent) and its evidence; then applies
    the change, bumps `version` and writes exactly one CaseEvent with the uploaded files attached.
    `values` are typed (a date, a Region, a case id): forms and serializers parse, not this."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise DomainError("未知的操作。")
    if user.is_read_only:
        raise PermissionDenied("只读账号不能办理案件。")
    if expected_version is not None and (isinstance(expected_version, bool) or not isinstance(expected_version, int)):
        raise InvalidInput(VERSION_INVALID)
    uploads = validate_uploads(files) if spec.accepts_files else []
    if files and not spec.accepts_files:
        raise InvalidInput(f"“{spec.label}”不接受上传文件。")
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        if not spec.allows_role(user):
            raise PermissionDenied(f"只有{spec.roles_label}可以执行“{spec.label}”。")
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"该案件已被他人办理（当前状态：{case.get_state_display()}），请刷新后查看。")
        if case.state not in spec.sources:
            raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能执行“{spec.label}”。")
        cleaned = clean_values(spec, values, case=case, user=user)
        if spec.needs_evidence and not uploads and not case.attachments.exists():
            raise MissingField(f"“{spec.label}”需要至少一份整改佐证材料（照片或 PDF）。")
        from_state = case.state
        _apply(case, spec, cleaned, from_state=from_state)
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


def case_bulk_transition(
    *, case_ids: list[int], user: User, transition: str, **values: str | date | Region | None,
) -> tuple[list[int], list[tuple[int, str]]]:
    """Applies one non-state-changing working-group action (分派核查单位 / 设定完成时限) to each
    selected case through case_transition, each in its own transaction and in primary-key order
    (a fixed lock order). Returns (done ids, [(id, refusal message)])."""
    from .states import BULK_TRANSITIONS

    if transition not in BULK_TRANSITIONS:
        raise DomainError("该操作不支持批量办理。")
    if not user.is_county:
        raise PermissionDenied("只有县专班可以批量办理。")
    done, refused = [], []
    for case_id in sorted({int(i) for i in case_ids}):
        try:
            case_transition(case_id=case_id, user=user, transition=transition, **values)
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


def _require_county(user: User, what: str) -> None:
    if user.is_read_only or not (user.sees_everything or user.role in COUNTY):
        raise PermissionDenied(f"只有县专班可以{what}。")


def supervision_record(
    *,
    case_id: int,
    user: User,
    kind: str,
    occurred_on: date | None = None,
    participants: str = "",
    outcome: str = "",
    level: str = "",
    deadline: date | None = None,
    decision_number: str = "",
    amount: Decimal | None = None,
    basis: str = "",
    transfer_target: str = "",
    minutes_file=None,
    receipt_file=None,
) -> SupervisionAction:
    """Records one supervision step (约谈, 挂牌督办, 实地督导, 责令限期改正, 行政处罚, 移送,
    黑名单提名) on an open case, with its timeline event. Only the county working group. Values
    are typed (dates, a Decimal amount); the kind's required ones absent are MissingField, a
    wrong value InvalidInput."""
    if kind not in SupervisionKind.values:
        raise InvalidInput("未知的督办方式。")
    _require_county(user, "登记督办")
    cleaned: dict = {
        "occurred_on": _checked_date(occurred_on, SUPERVISION_LABELS["occurred_on"]) or timezone.localdate(),
        "participants": _clean_text(participants), "outcome": _clean_text(outcome),
        "decision_number": _clean_text(decision_number), "basis": _clean_text(basis),
        "deadline": _checked_date(deadline, SUPERVISION_LABELS["deadline"]),
    }
    level, target = _clean_text(level), _clean_text(transfer_target)
    if level and level not in SupervisionLevel.values:
        raise InvalidInput("督办级别无效。")
    if target and target not in TransferTarget.values:
        raise InvalidInput("移送单位无效。")
    cleaned.update(level=level, transfer_target=target, amount=None)
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise InvalidInput("罚款金额须为数字。")
        cleaned["amount"] = Decimal(amount).quantize(Decimal("0.01"))
        if cleaned["amount"] < 0:
            raise InvalidInput("罚款金额不能为负数。")
    missing = [SUPERVISION_LABELS[n] for n in SUPERVISION_REQUIRED[kind] if cleaned.get(n) in (None, "")]
    if missing:
        raise MissingField(f"“{SupervisionKind(kind).label}”需要填写：{'、'.join(missing)}。")
    uploads = {}
    for key, upload in (("minutes_file", minutes_file), ("receipt_file", receipt_file)):
        if upload:
            [(checked, _content_type)] = validate_uploads([upload])
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
    _require_county(user, "解除挂牌督办")
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
    _require_county(user, "编制一小区一方案")
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
    _require_county(user, "审定方案")
    with transaction.atomic():
        plan = _lock_plan(plan_id=plan_id, user=user)
        if plan.status != PlanStatus.DRAFT:
            raise InvalidState(f"方案当前为“{plan.get_status_display()}”，不能审定。")
        plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, user, timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
    return plan


def plan_publish(*, user: User, plan_id: int) -> EstatePlan:
    """Publishes an approved plan on the estate's public page (no personal data is shown)."""
    _require_county(user, "公开方案")
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


def typical_case_mark(
    *,
    user: User,
    case_id: int,
    title: str,
    basic_facts: str,
    violation: str,
    legal_basis: str,
    handling_result: str,
    is_published: bool = False,
) -> TypicalCase:
    """Marks a case as typical (or updates its write-up), with a timeline event."""
    _require_county(user, "选定典型案例")
    given = {"title": title, "basic_facts": basic_facts, "violation": violation, "legal_basis": legal_basis,
             "handling_result": handling_result}
    cleaned = {name: _clean_text(given[name]) for name in TYPICAL_FIELDS}
    missing = [label for name, label in TYPICAL_FIELDS.items() if not cleaned[name]]
    if missing:
        raise MissingField(f"典型案例需要填写：{'、'.join(missing)}。")
    is_published = bool(is_published)
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
