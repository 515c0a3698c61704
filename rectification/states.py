"""The case state machine: the one table of allowed transitions. The service
(rectification.services.case_transition) enforces it, the case page reads it to show the buttons
and forms a user may use, and the tests walk it."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from django.utils import timezone

from accounts.capabilities import can, roles_label
from communities import regions
from communities.models import Region, RegionLevel
from core.errors import InvalidInput, MissingField

from .models import OPEN_STATES, Case, CaseState, VerificationResult

# ---------------------------------------------------------------------------------------------
# The values a transition takes. Each field is described once, here; the page form
# (rectification.forms.transition_form), the API serializer (rectification.api) and the service
# (rectification.services.case_transition, through clean_values) all read the description.

TEXT, DATE, CHOICE, FILES, REGION, CASE = "text", "date", "choice", "files", "region", "case"

WORKDAYS_MAX = 365
WORKDAYS_NOT_A_NUMBER = "工作日天数须为整数。"
WORKDAYS_OUT_OF_RANGE = f"工作日天数须在 1 到 {WORKDAYS_MAX} 之间。"
VERSION_INVALID = "版本号无效，请刷新后重试。"


@dataclass(frozen=True)
class TransitionField:
    """One value a transition takes. `kind` says what the value is once parsed: TEXT a str,
    DATE a date, CHOICE one of `choices` (value, label), REGION a Region, CASE a case id, FILES
    the uploads. `saves_to` names the Case field the value is written to when given."""

    name: str
    label: str
    kind: str
    required: bool = False
    max_length: int = 2000
    multiline: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    #: a DATE that may also be given as a number of working days from today (工作日历折算)
    workdays: bool = False
    saves_to: str | None = None
    #: a further rule for a present, well-typed value: validator(value, case=, user=) raises InvalidInput
    validator: Callable | None = None
    #: the refusal of a wrong value, where the kind's own wording would say too little
    message: str = ""

    @property
    def invalid_message(self) -> str:
        """The refusal for a value of the wrong form (what the form and the API say too)."""
        if self.message:
            return self.message
        if self.kind == DATE:
            return f"{self.label}的日期不正确，请使用 YYYY-MM-DD 格式填写真实存在的日期。"
        if self.kind == CHOICE:
            return f"{self.label}只能是：{'、'.join(label for _value, label in self.choices)}。"
        if self.kind == TEXT:
            return f"{self.label}过长（最多 {self.max_length} 字）。"
        return f"{self.label}无效。"

    def check(self, value, *, case: Case, user):
        """The value, normalised (text stripped, blank as None), or InvalidInput."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return "" if self.kind in (TEXT, CHOICE) else None
        if self.kind == TEXT:
            if not isinstance(value, str):
                raise InvalidInput(f"{self.label}须为文字。")
            value = value.strip()
            if len(value) > self.max_length:
                raise InvalidInput(self.invalid_message)
        elif self.kind == DATE and not isinstance(value, date):
            raise InvalidInput(self.invalid_message)
        elif self.kind == CHOICE and value not in {v for v, _label in self.choices}:
            raise InvalidInput(self.invalid_message)
        elif self.kind == REGION and not isinstance(value, Region):
            raise InvalidInput(self.invalid_message)
        elif self.kind == CASE and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInput(self.invalid_message)
        if self.validator is not None:
            self.validator(value, case=case, user=user)
        return value


def deadline_not_past(value: date, *, case, user) -> None:
    if value < timezone.localdate():
        raise InvalidInput("完成时限不能早于今天。")


VERIFYING_UNIT_REFUSED = "核查单位须为案件所在的镇/街道或社区，且在您的管辖范围内。"


def verifying_unit_options(case: Case, user):
    """The units that may verify a case: the town or community that holds it, within the user's scope."""
    return Region.objects.visible_to(user).filter(path__in=regions.ancestors(case.region_path), level__gte=RegionLevel.TOWN)


def verifying_unit_holds_case(value: Region, *, case, user) -> None:
    if not verifying_unit_options(case, user).filter(pk=value.pk).exists():
        raise InvalidInput(VERIFYING_UNIT_REFUSED)


DUPLICATE_REFUSED = "重复案件不存在或不在您的管辖范围内。"


def duplicate_is_another_visible_case(value: int, *, case, user) -> None:
    if value == case.pk or not Case.objects.visible_to(user).filter(pk=value).exists():
        raise InvalidInput(DUPLICATE_REFUSED)


REASON = TransitionField("reason", "原因", TEXT, multiline=True)
NOTE = TransitionField("note", "说明", TEXT, multiline=True)
VERIFYING_UNIT = TransitionField("verifying_unit", "核查单位", REGION, saves_to="verifying_unit",
                                 validator=verifying_unit_holds_case, message=VERIFYING_UNIT_REFUSED)
VERIFYING_PERSON = TransitionField("verifying_person", "核查人", TEXT, max_length=100, saves_to="verifying_person")
DEADLINE = TransitionField("deadline", "完成时限", DATE, workdays=True, saves_to="deadline", validator=deadline_not_past)
DUPLICATE_OF = TransitionField("duplicate_of", "重复案件编号", CASE, validator=duplicate_is_another_visible_case,
                               message="重复案件编号无效。")
EVIDENCE = TransitionField("files", "佐证材料（照片或 PDF，可多选）", FILES)


def required(field: TransitionField, **changes) -> TransitionField:
    return replace(field, required=True, **changes)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    #: the new state, or None for an action that keeps the state (logged all the same)
    target: str | None
    fields: tuple[TransitionField, ...] = ()
    #: the case must hold at least one evidence file (uploaded before or with this action)
    needs_evidence: bool = False
    #: fixed values the transition writes on the case
    sets: tuple[tuple[str, str], ...] = ()
    button: str = "primary"
    #: asked before the form is sent (data-confirm, static/js/actions.js), for a step that is hard to undo
    confirm: str = ""

    @property
    def capability(self) -> str:
        """Who may take it: the capability "case.<name>" of accounts.capabilities."""
        return f"case.{self.name}"

    def allows_role(self, user) -> bool:
        return can(user, self.capability)

    @property
    def roles_label(self) -> str:
        return roles_label(self.capability)

    @property
    def value_fields(self) -> tuple[TransitionField, ...]:
        """The fields other than the uploads (those come apart, as files)."""
        return tuple(f for f in self.fields if f.kind != FILES)

    @property
    def accepts_files(self) -> bool:
        return any(f.kind == FILES for f in self.fields)


def clean_values(spec: Transition, values: dict, *, case: Case, user) -> dict:
    """The transition's values checked against its fields: each present value of the right kind
    and valid (InvalidInput), then every required one present (MissingField, naming them all).
    A name the transition does not take is refused."""
    unknown = sorted(set(values) - {f.name for f in spec.value_fields})
    if unknown:
        raise InvalidInput(f"“{spec.label}”不接受这些内容：{'、'.join(unknown)}。")
    cleaned = {f.name: f.check(values.get(f.name), case=case, user=user) for f in spec.value_fields}
    missing = [f.label for f in spec.value_fields if f.required and cleaned[f.name] in (None, "")]
    if missing:
        raise MissingField(f"“{spec.label}”需要填写：{'、'.join(missing)}。")
    return cleaned


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "assign", "分派核查单位",
            sources=frozenset({CaseState.PENDING_VERIFICATION, CaseState.VERIFYING}), target=None,
            fields=(required(VERIFYING_UNIT), VERIFYING_PERSON, NOTE),
            button="outline-primary",
        ),
        Transition(
            "start_verification", "开始核查",
            sources=frozenset({CaseState.PENDING_VERIFICATION}), target=CaseState.VERIFYING,
            fields=(VERIFYING_PERSON, NOTE),
        ),
        Transition(
            "confirm", "核查属实（制定整改方案）",
            sources=frozenset({CaseState.VERIFYING}), target=CaseState.RECTIFYING,
            fields=(
                TransitionField(
                    "verification_result", "核查结果", CHOICE, required=True, saves_to="verification_result",
                    choices=tuple((v, VerificationResult(v).label) for v in (VerificationResult.TRUE, VerificationResult.PARTLY_TRUE)),
                ),
                TransitionField("verification_note", "核查情况", TEXT, required=True, multiline=True, saves_to="verification_note"),
                TransitionField("measures", "整改措施", TEXT, required=True, multiline=True, saves_to="measures"),
                TransitionField("responsible_unit", "责任单位", TEXT, required=True, max_length=100, saves_to="responsible_unit"),
                TransitionField("responsible_person", "责任人", TEXT, required=True, max_length=100, saves_to="responsible_person"),
                required(DEADLINE),
                EVIDENCE,
            ),
        ),
        Transition(
            "not_true", "核查不属实",
            sources=frozenset({CaseState.VERIFYING}), target=CaseState.NOT_TRUE,
            fields=(required(REASON, saves_to="verification_note"), EVIDENCE),
            sets=(("verification_result", VerificationResult.NOT_TRUE),), button="outline-secondary",
        ),
        Transition(
            "progress", "更新整改进展",
            sources=frozenset({CaseState.RECTIFYING}), target=None,
            fields=(required(NOTE), EVIDENCE), button="outline-primary",
        ),
        Transition(
            "request_closure", "申请销号",
            sources=frozenset({CaseState.RECTIFYING}), target=CaseState.PENDING_CLOSURE,
            fields=(required(NOTE), EVIDENCE), needs_evidence=True,
        ),
        Transition(
            "close", "销号",
            sources=frozenset({CaseState.PENDING_CLOSURE}), target=CaseState.CLOSED,
            # the note is the closing check's finding (销号意见), on the timeline and in the reply to the complainant
            fields=(required(NOTE, label="销号意见"), EVIDENCE), needs_evidence=True, button="success",
            confirm="确认销号？销号后案件关闭，投诉人将收到办理结果；如问题复发须“重新打开（回头看）”。",
        ),
        Transition(
            "return", "退回整改",
            sources=frozenset({CaseState.PENDING_CLOSURE}), target=CaseState.RECTIFYING,
            fields=(required(REASON), DEADLINE), button="outline-danger",
        ),
        Transition(
            "reopen", "重新打开（回头看）",
            sources=frozenset({CaseState.CLOSED}), target=CaseState.RECTIFYING,
            fields=(required(REASON), DEADLINE, EVIDENCE), button="outline-danger",
        ),
        Transition(
            "reverify", "重新核查",
            sources=frozenset({CaseState.NOT_TRUE}), target=CaseState.VERIFYING,
            fields=(required(REASON),), button="outline-danger",
        ),
        Transition(
            "withdraw", "撤销案件",
            sources=frozenset(OPEN_STATES), target=CaseState.WITHDRAWN,
            fields=(required(REASON), DUPLICATE_OF), button="outline-danger",
        ),
        Transition(
            "set_deadline", "设定完成时限",
            sources=frozenset({CaseState.PENDING_VERIFICATION, CaseState.VERIFYING, CaseState.RECTIFYING}),
            target=None, fields=(required(DEADLINE), NOTE), button="outline-primary",
        ),
    ]
}

#: transitions offered as bulk actions on the ledger (working group only)
BULK_TRANSITIONS = ("assign", "set_deadline")


def all_value_fields() -> dict[str, TransitionField]:
    """Every field some transition takes, by name (one description per name), for the API's
    request, which serves all transitions."""
    found: dict[str, TransitionField] = {}
    for spec in TRANSITIONS.values():
        for f in spec.value_fields:
            found.setdefault(f.name, replace(f, required=False))
    return found


def available_transitions(case, user) -> list[Transition]:
    """The transitions this user may take on this case now (for the page's buttons)."""
    return [t for t in TRANSITIONS.values() if case.state in t.sources and t.allows_role(user)]


def transition_to(state: str, target: str) -> Transition | None:
    """The state-changing transition from `state` to `target`, for clients that name the target
    state instead of the transition (there is at most one per pair)."""
    matches = [t for t in TRANSITIONS.values() if t.target == target and state in t.sources]
    return matches[0] if len(matches) == 1 else None
