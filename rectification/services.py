"""Writes of the rectification ledger. Every function is keyword-only, runs in one transaction,
checks scope, role and state, writes its timeline event, and raises a core.errors.DomainError
with a Chinese message on refusal. State changes go through case_transition only."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import require
from accounts.models import Role, User
from accounts.regions import users_over
from campaigns.models import Campaign, ProblemCategory, SubjectKind
from communities.models import Estate, Region
from core.audit import audited, not_audited
from core.bulk import bulk_insert, copy_available, reserve_ids
from core.errors import Conflict, DomainError, InvalidInput, InvalidState, MissingField, NotFound
from core.files import validate_uploads
from core.notifications import notification_send

from . import hooks
from .complainants import complainant_added
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
    PlanEvent,
    PlanEventKind,
    PlanStatus,
    SupervisionAction,
    SupervisionKind,
    SupervisionLevel,
    TransferTarget,
    TypicalCase,
)
from .states import BULK_TRANSITIONS, TRANSITIONS, VERSION_INVALID, Transition, clean_values

# ---------------------------------------------------------------------------------------------
# Intake: clues open or join cases


@dataclass(frozen=True, slots=True)
class ClueInput:
    """One clue (线索) for clues_intake.

    - `source` is a ClueSource value; `reference` the channel's own number (12345 工单号, 信访件
      编号, …); (source_app_label, source_object_id) point back at the calling app's row, e.g.
      ("complaints", complaint.pk).
    - 多人同诉: `complainant_key` (a complaint's phone digest; "" for none) makes the clue count
      by rectification.complainants.complainant_added against the keys already on its case;
      without a key (None) the clue counts `complainant_count`, by default 1 for complaints and 0
      for other sources."""

    estate: Estate
    category: ProblemCategory
    source: str
    campaign_id: int | None = None
    reference: str = ""
    description: str = ""
    received_at: datetime | None = None
    source_app_label: str = ""
    source_object_id: str | int = ""
    complainant_count: int | None = None
    complainant_key: str | None = None
    is_corruption_clue: bool = False
    # 责任主体 of a case this clue opens (a joined case keeps its own): by default the category's
    # default_subject, and for a developer, committee or government unit the one the subjects app
    # finds for the estate (hooks.subject_defaults); a caller that knows it names it here
    subject_kind: str | None = None
    developer_id: int | None = None
    owners_committee_id: int | None = None
    government_unit_id: int | None = None


@dataclass(frozen=True, slots=True)
class IntakeResult:
    case_id: int
    clue_id: int
    created: bool  # this clue opened its case
    complainant_count: int  # what this clue added to the case's count


CASE_COLUMNS = ["estate_id", "region_path", "enterprise_id", "category_id", "campaign_id", "description", "source",
                "complainant_count", "is_corruption_clue", "subject_kind", "developer_id", "owners_committee_id",
                "government_unit_id"]
SUBJECT_ID_FIELD = {SubjectKind.DEVELOPER: "developer_id", SubjectKind.COMMITTEE: "owners_committee_id",
                    SubjectKind.GOVERNMENT: "government_unit_id"}


def _subjects_of(first: dict) -> dict:
    """(subject kind, developer id, committee id, unit id) of each new case: the clue's own, else
    the category's default with the subject the subjects app finds for the estate (one lookup per
    kind, whatever the number of cases)."""
    kinds = {key: clue.subject_kind or clue.category.default_subject for key, clue in first.items()}
    wanted: dict[str, list[int]] = {}
    for key, clue in first.items():
        field = SUBJECT_ID_FIELD.get(kinds[key])
        if field and getattr(clue, field) is None:
            wanted.setdefault(kinds[key], []).append(clue.estate.pk)
    found = {kind: hooks.subject_defaults(kind=kind, estate_ids=sorted(set(ids))) for kind, ids in wanted.items()}
    result = {}
    for key, clue in first.items():
        kind = kinds[key]
        ids = {field: getattr(clue, field) for field in SUBJECT_ID_FIELD.values()}
        field = SUBJECT_ID_FIELD.get(kind)
        if field and ids[field] is None:
            ids[field] = found.get(kind, {}).get(clue.estate.pk)
        result[key] = (kind, ids["developer_id"], ids["owners_committee_id"], ids["government_unit_id"])
    return result
CLUE_COLUMNS = ["case_id", "source", "reference", "description", "source_app_label", "source_object_id",
                "complainant_count", "received_at"]
INTAKE_EVENT_COLUMNS = ["case_id", "kind", "label", "from_state", "to_state", "note", "data"]


@audited("rectification.CaseEvent")
def clues_intake(
    *,
    clues: list[ClueInput],
    actor: User | None = None,
    known_keys: Callable[[list[int], set[str]], dict[int, set[str]]] | None = None,
    ids_known: Callable[[list[tuple[int, int]]], None] | None = None,
) -> list[IntakeResult]:
    """The one intake: records each clue and attaches it to a case — the open case of the same
    estate and category if there is one (多人同诉: its complainant count grows), otherwise a new
    case in 待核查, opened by the first clue of its pair and joined by the others. The public
    form, staff intake, the 12345 import, inspections and the public-revenue checks all come here
    (case_open_or_join is the batch of one).

    - `actor` is the staff member registering the clues: when given, every estate must be within
      their scope and their role must be allowed to write. System callers pass None.
    - `known_keys(open case ids, keys)` gives the complainant keys already on those cases
      ({case id: keys}); the app that owns the keys (complaints) passes it. Without it a case's
      keys are only those of this batch.
    - `ids_known([(case id, clue id)])`, if given, is called in the transaction once the cases,
      clues and events are written: the caller writes its own rows, which refer to them.

    A bounded number of statements whatever the number of clues: the estates are locked in one
    query in primary-key order (two intakes of one estate never open two cases), the open cases
    read in one; new cases, clues and events are written through core.bulk.bulk_insert (COPY on
    PostgreSQL for a batch, with ids reserved from the sequences) and the joined cases' counts in
    one UPDATE. Returns one IntakeResult per clue, in order."""
    if not clues:
        return []
    sources = set(ClueSource.values)  # built anew on every access: once, not once per clue
    if any(clue.source not in sources for clue in clues):
        raise DomainError("未知的线索来源。")
    estate_ids = sorted({clue.estate.pk for clue in clues})
    if actor is not None:
        require(actor, "case.open", message="只读账号不能登记案件。")
        if Estate.objects.visible_to(actor).filter(pk__in=estate_ids).count() != len(estate_ids):
            raise NotFound("小区不存在或不在您的管辖范围内。")
    with transaction.atomic():
        # the lock is all this statement is for: the rows' data is the callers' estates'
        list(Estate.objects.select_for_update().filter(pk__in=estate_ids).order_by("pk").values_list("pk", flat=True))
        cases = {}  # (estate, category) → [case id, state]; the oldest open case wins (iterated last)
        for pk, estate_id, category_id, state in (
            Case.objects.select_for_update().filter(estate_id__in=estate_ids, state__in=OPEN_STATES)
            .order_by("-pk").values_list("pk", "estate_id", "category_id", "state")
        ):
            cases[(estate_id, category_id)] = [pk, state]
        keys = [(clue.estate.pk, clue.category.pk) for clue in clues]
        open_keys = set(cases) & set(keys)
        seen: dict[tuple, set[str]] = {key: set() for key in keys}
        wanted = {clue.complainant_key for clue in clues if clue.complainant_key}
        if known_keys is not None and wanted and open_keys:
            on_cases = known_keys(sorted(cases[key][0] for key in open_keys), wanted)
            for key in open_keys:
                seen[key] |= on_cases.get(cases[key][0], set())
        counts = []
        for clue, key in zip(clues, keys, strict=True):
            if clue.complainant_key is not None:
                counts.append(complainant_added(clue.complainant_key, seen[key]))
            elif clue.complainant_count is not None:
                counts.append(clue.complainant_count)
            else:
                counts.append(1 if clue.source == ClueSource.COMPLAINT else 0)
        added: dict[tuple, int] = {}
        corrupt = set()
        first: dict[tuple, ClueInput] = {}
        first_at: dict[tuple, int] = {}  # the index of the clue that opens each new case
        for index, (clue, key, count) in enumerate(zip(clues, keys, counts, strict=True)):
            added[key] = added.get(key, 0) + count
            if clue.is_corruption_clue:
                corrupt.add(key)
            if key not in cases and key not in first:
                first[key] = clue
                first_at[key] = index
        now = timezone.now()
        fast = copy_available() and len(clues) > 1  # COPY pays off for a batch, not for one clue
        actor_id = actor.pk if actor is not None else None
        new_state = Case._meta.get_field("state").get_default()
        subjects = _subjects_of(first)
        case_rows = [
            (clue.estate.pk, clue.estate.community.path, clue.estate.enterprise_id, clue.category.pk, clue.campaign_id,
             clue.description or clue.category.label, clue.source, added[key], key in corrupt, *subjects[key])
            for key, clue in first.items()
        ]
        case_constants = {"created_by_id": actor_id, "state": new_state}
        if fast:
            case_ids = reserve_ids(Case, len(case_rows))
        else:
            case_ids = bulk_insert(Case, CASE_COLUMNS, case_rows, constants=case_constants, copy=False)
        for key, pk in zip(first, case_ids, strict=True):
            cases[key] = [pk, new_state]
        clue_rows = [
            (cases[key][0], clue.source, clue.reference, clue.description, clue.source_app_label,
             str(clue.source_object_id or ""), count, clue.received_at or now)
            for clue, key, count in zip(clues, keys, counts, strict=True)
        ]
        if fast:
            clue_ids = reserve_ids(CaseClue, len(clue_rows))
        else:
            clue_ids = bulk_insert(CaseClue, CLUE_COLUMNS, clue_rows, copy=False)
        pairs = [(row[0], clue_id) for row, clue_id in zip(clue_rows, clue_ids, strict=True)]

        def event_rows():
            kind_created, kind_joined = CaseEventKind.CREATED.value, CaseEventKind.CLUE_JOINED.value
            for index, (key, clue_id, row) in enumerate(zip(keys, clue_ids, clue_rows, strict=True)):
                state = cases[key][1]
                opens = first_at.get(key) == index
                yield (row[0], kind_created if opens else kind_joined, "登记案件" if opens else "并案（多人同诉）",
                       "" if opens else state, state, "" if opens else row[3],
                       {"clue_id": clue_id, "source": row[1], "reference": row[2], "complainant_count": row[6]})

        event_constants = {"actor_id": actor_id, "at": now}
        if fast:
            # each COPY formats its rows while PostgreSQL takes in the previous chunk (core.bulk)
            bulk_insert(Case, ["id", *CASE_COLUMNS], ((pk, *row) for pk, row in zip(case_ids, case_rows, strict=True)),
                        constants={**case_constants, "created_at": now}, now=now, copy=True)
            bulk_insert(CaseClue, ["id", *CLUE_COLUMNS], ((pk, *row) for pk, row in zip(clue_ids, clue_rows, strict=True)),
                        now=now, copy=True)
            bulk_insert(CaseEvent, INTAKE_EVENT_COLUMNS, event_rows(), constants=event_constants, now=now, copy=True)
        else:
            bulk_insert(CaseEvent, INTAKE_EVENT_COLUMNS, event_rows(), constants=event_constants, copy=False)
        joined = sorted((cases[key][0], added[key]) for key in open_keys if added[key])
        if joined:  # the cases are locked above: the counts are current
            Case.objects.filter(pk__in=[pk for pk, _ in joined]).update(complainant_count=F("complainant_count") + Choose(
                *[When(pk=pk, then=Value(n)) for pk, n in joined], default=Value(0)))
        if corrupt & open_keys:
            Case.objects.filter(pk__in=[cases[key][0] for key in corrupt & open_keys]).update(is_corruption_clue=True)
        if ids_known is not None:
            ids_known(pairs)
    return [IntakeResult(case_id, clue_id, first_at.get(key) == index, count)
            for index, (key, (case_id, clue_id), count) in enumerate(zip(keys, pairs, counts, strict=True))]


@audited("rectification.CaseEvent")
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
    """One clue through clues_intake (a batch of one): see ClueInput for the arguments; `user`
    is the intake's actor. Returns (case, clue, created)."""
    [result] = clues_intake(clues=[ClueInput(
        estate=estate, category=category, source=source, campaign_id=campaign.pk if campaign else None,
        reference=reference, description=description, received_at=received_at, source_app_label=source_app_label,
        source_object_id=source_object_id, complainant_count=complainant_count, is_corruption_clue=is_corruption_clue,
    )], actor=user)
    clue = CaseClue.objects.select_related("case").get(pk=result.clue_id)
    return clue.case, clue, result.created


# ---------------------------------------------------------------------------------------------
# The timeline: the only writers of CaseEvent


@audited("rectification.CaseEvent")
def case_event_record(
    *,
    case_id: int,
    kind: str,
    label: str = "",
    actor: User | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Writes one entry of a case's timeline (inside the caller's transaction). Events are never
    edited or deleted; every app records them through here or case_events_record."""
    return CaseEvent.objects.create(
        case_id=case_id, actor=actor, kind=kind, transition=transition, label=label, from_state=from_state,
        to_state=to_state, note=note, data=data if data is not None else {},
    )


@audited("rectification.CaseEvent")
def case_events_record(*, events: list[dict], copy: bool | None = None) -> None:
    """Writes several timeline entries at once through core.bulk.bulk_insert (COPY on PostgreSQL
    unless `copy` is False). Each event is a dict of CaseEvent attnames, the same keys in each."""
    if events:
        columns = list(events[0])
        bulk_insert(CaseEvent, columns, [tuple(event[c] for c in columns) for event in events], copy=copy)


@audited("rectification.CaseEvent")
def case_default_deadline_set(*, case: Case, deadline: date, user: User | None, note: str, source: str) -> bool:
    """Gives a case that has no deadline yet the default deadline of the clue that opened it
    (an inspection's 15 working days, a self-check's 30), with its timeline event. A case that
    already has a deadline keeps it. Returns True if it set one."""
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, deadline__isnull=True).update(deadline=deadline, version=F("version") + 1)
        if not updated:
            return False
        case.refresh_from_db(fields=["deadline", "version"])
        case_event_record(
            case_id=case.pk, actor=user, kind=CaseEventKind.ACTION, transition="set_deadline", label="设定完成时限",
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


@audited("rectification.CaseEvent")
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
    require(user, "data.write", message="只读账号不能办理案件。")
    if expected_version is not None and (isinstance(expected_version, bool) or not isinstance(expected_version, int)):
        raise InvalidInput(VERSION_INVALID)
    uploads = validate_uploads(files) if spec.accepts_files else []
    if files and not spec.accepts_files:
        raise InvalidInput(f"“{spec.label}”不接受上传文件。")
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        require(user, spec.capability, f"执行“{spec.label}”")
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"该案件已被他人办理（当前状态：{case.get_state_display()}），请刷新后查看。")
        if case.state not in spec.sources:
            raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能执行“{spec.label}”。")
        cleaned = clean_values(spec, values, case=case, user=user)
        if spec.needs_evidence and not uploads and not case.attachments.filter(document__isnull=True).exists():
            raise MissingField(f"“{spec.label}”需要至少一份整改佐证材料（照片或 PDF）。")
        from_state = case.state
        _apply(case, spec, cleaned, from_state=from_state)
        if spec.target:
            case.state = spec.target
        case.version += 1
        case.save()
        note = cleaned.get("reason") or cleaned.get("note") or ""
        event = case_event_record(
            case_id=case.pk,
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


@audited("rectification.CaseEvent")
def case_bulk_transition(
    *, case_ids: list[int], user: User, transition: str, **values: str | date | Region | None,
) -> tuple[list[int], list[tuple[int, str]]]:
    """Applies one non-state-changing working-group action (分派核查单位 / 设定完成时限) to each
    selected case through case_transition, each in its own transaction and in primary-key order
    (a fixed lock order). Returns (done ids, [(id, refusal message)])."""
    if transition not in BULK_TRANSITIONS:
        raise DomainError("该操作不支持批量办理。")
    require(user, "case.bulk", message="只有县专班可以批量办理。")
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
    users = users_over(case.region_path, roles=(Role.TOWN, Role.COMMUNITY))
    if case.enterprise_id:
        users |= User.objects.filter(role=Role.ENTERPRISE, enterprise_id=case.enterprise_id, is_active=True)
    return users


@audited("rectification.CaseEvent")
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
        case_event_record(
            case_id=case.pk,
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


@audited("rectification.CaseEvent")
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
    require(user, "case.supervise", "登记督办")
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
        if kind == SupervisionKind.BLACKLIST_NOMINATION and not case.is_enterprise_subject:
            raise InvalidState(f"该案件的责任主体是{case.get_subject_kind_display()}，不能据此提名物业服务企业黑名单。")
        action = SupervisionAction.objects.create(case=case, kind=kind, recorded_by=user, **cleaned, **uploads)
        if kind == SupervisionKind.TRANSFER and target == TransferTarget.DISCIPLINE and not case.is_corruption_clue:
            case.is_corruption_clue = True
            case.save(update_fields=["is_corruption_clue", "updated_at"])
        case_event_record(
            case_id=case.pk,
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
        # 约谈 / 责令限期改正 / 行政处罚 / 黑名单提名 enter the enterprise's credit file here (its
        # handler, registered by enterprises), in the same transaction, so the case and the credit
        # file cannot disagree.
        hooks.supervision_recorded(action=action, user=user)
    return action


@audited("rectification.CaseEvent")
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
        case_event_record(
            case_id=action.case_id,
            actor=user,
            kind=CaseEventKind.SUPERVISION_LIFTED,
            label="解除挂牌督办",
            note=_clean_text(note),
            data={"supervision_id": action.pk},
        )
        # Lifted after its deadline: 挂牌督办未按期解除 enters the credit file (once; enterprises' handler).
        hooks.supervision_lifted(action=action, user=user)
    return action


# ---------------------------------------------------------------------------------------------
# One estate, one plan (一小区一方案)


@audited("rectification.PlanEvent")
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
        PlanEvent.objects.create(plan=plan, actor=user, kind=PlanEventKind.CREATED, to_state=plan.status, note=title,
                                 data={"case_ids": sorted(c.pk for c in cases)})
    return plan


def _lock_plan(*, plan_id: int, user: User) -> EstatePlan:
    plan = EstatePlan.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("方案不存在或不在您的管辖范围内。")
    return plan


@audited("rectification.PlanEvent")
def plan_approve(*, user: User, plan_id: int) -> EstatePlan:
    require(user, "plan.approve", "审定方案")
    with transaction.atomic():
        plan = _lock_plan(plan_id=plan_id, user=user)
        if plan.status != PlanStatus.DRAFT:
            raise InvalidState(f"方案当前为“{plan.get_status_display()}”，不能审定。")
        plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, user, timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
        PlanEvent.objects.create(plan=plan, actor=user, kind=PlanEventKind.APPROVED, from_state=PlanStatus.DRAFT,
                                 to_state=plan.status)
    return plan


@audited("rectification.PlanEvent")
def plan_publish(*, user: User, plan_id: int) -> EstatePlan:
    """Publishes an approved plan on the estate's public page (no personal data is shown)."""
    require(user, "plan.approve", "公开方案")
    with transaction.atomic():
        plan = _lock_plan(plan_id=plan_id, user=user)
        if plan.status != PlanStatus.APPROVED:
            raise InvalidState("方案须先审定才能公开。")
        plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
        plan.save(update_fields=["status", "published_at"])
        PlanEvent.objects.create(plan=plan, actor=user, kind=PlanEventKind.PUBLISHED, from_state=PlanStatus.APPROVED,
                                 to_state=plan.status)
    return plan


# ---------------------------------------------------------------------------------------------
# Typical cases (典型案例)

TYPICAL_FIELDS = {"title": "案例标题", "basic_facts": "基本案情", "violation": "违法违规情形",
                  "legal_basis": "法律依据", "handling_result": "处理结果"}


@audited("rectification.CaseEvent")
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
    require(user, "case.mark_typical", "选定典型案例")
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
        case_event_record(
            case_id=case.pk, actor=user, kind=CaseEventKind.TYPICAL,
            label="选定典型案例" if created else "修改典型案例",
            from_state=case.state, to_state=case.state, note=cleaned["title"],
            data={"typical_case_id": typical.pk, "is_published": is_published},
        )
    return typical


# ---------------------------------------------------------------------------------------------
# The officers' daily digest of deadlines (到期、超期提醒)

#: who gets the digest: those who work cases (the read-only roles and the administrator do not)
DIGEST_ROLES = (Role.COUNTY_GROUP, Role.COUNTY_OFFICE, Role.TOWN, Role.COMMUNITY, Role.ENTERPRISE)
DIGEST_DUE_DAYS = 3


@not_audited("sends notifications only; core.Notification and core.SmsMessage are its record")
def deadline_digest_send(*, today: date) -> int:
    """Tells each active officer how many open cases of their scope are overdue and how many are
    due within DIGEST_DUE_DAYS days: one notification per officer and day (the key makes a second
    run send nothing), with an SMS copy to those who switched SMS on. Officers with nothing due
    get nothing. Returns how many were notified now."""
    notified = 0
    key = f"deadline-digest:{today.isoformat()}"
    officers = User.objects.filter(is_active=True, role__in=DIGEST_ROLES).select_related("region").order_by("pk")
    for user in officers.iterator(chunk_size=200):
        cases = Case.objects.visible_to(user)
        overdue = cases.overdue(today).count()
        due = cases.due_within(DIGEST_DUE_DAYS, today).count()
        if not overdue and not due:
            continue
        parts = ([f"已超期 {overdue} 件"] if overdue else []) + ([f"{DIGEST_DUE_DAYS} 日内到期 {due} 件"] if due else [])
        summary = "，".join(parts)
        with transaction.atomic():
            created = notification_send(
                users=[user], key=key, title=f"整改案件到期提醒：{summary}",
                url=reverse("rectification:case-list") + ("?overdue=true" if overdue else ""), body=f"截至 {today:%Y-%m-%d}，您辖区内的整改案件{summary}，请及时督促办理。",
                sms_text=f"【{settings.SMS_SIGNATURE}】截至{today:%m月%d日}，您辖区内整改案件{summary}，请登录系统及时办理。",
                sms_kind="deadline_digest",
            )
        notified += bool(created)
    return notified
