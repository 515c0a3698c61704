"""The case state machine: the one table of allowed transitions. The service
(rectification.services.case_transition) enforces it, the case page reads it to show the buttons
and forms a user may use, and the tests walk it."""

from dataclasses import dataclass, field

from accounts.capabilities import can, roles_label

from .models import OPEN_STATES, CaseState


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    #: the new state, or None for an action that keeps the state (logged all the same)
    target: str | None
    required: tuple = ()
    optional: tuple = ()
    #: the case must hold at least one evidence file (uploaded before or with this action)
    needs_evidence: bool = False
    accepts_files: bool = False
    #: restricts a choice field to some of its values, e.g. 属实 / 部分属实 for "confirm"
    allowed_values: dict = field(default_factory=dict)
    button: str = "primary"

    @property
    def capability(self) -> str:
        """Who may take it: the capability "case.<name>" of accounts.capabilities."""
        return f"case.{self.name}"

    def allows_role(self, user) -> bool:
        return can(user, self.capability)

    @property
    def roles_label(self) -> str:
        return roles_label(self.capability)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "assign", "分派核查单位",
            sources=frozenset({CaseState.PENDING_VERIFICATION, CaseState.VERIFYING}), target=None,
            required=("verifying_unit",), optional=("verifying_person", "note"),
            button="outline-primary",
        ),
        Transition(
            "start_verification", "开始核查",
            sources=frozenset({CaseState.PENDING_VERIFICATION}), target=CaseState.VERIFYING,
            optional=("verifying_person", "note"),
        ),
        Transition(
            "confirm", "核查属实（制定整改方案）",
            sources=frozenset({CaseState.VERIFYING}), target=CaseState.RECTIFYING,
            required=("verification_result", "verification_note", "measures", "responsible_unit", "responsible_person", "deadline"),
            accepts_files=True,
            allowed_values={"verification_result": ("true", "partly_true")},
        ),
        Transition(
            "not_true", "核查不属实",
            sources=frozenset({CaseState.VERIFYING}), target=CaseState.NOT_TRUE,
            required=("reason",), accepts_files=True, button="outline-secondary",
        ),
        Transition(
            "progress", "更新整改进展",
            sources=frozenset({CaseState.RECTIFYING}), target=None,
            required=("note",), accepts_files=True, button="outline-primary",
        ),
        Transition(
            "request_closure", "申请销号",
            sources=frozenset({CaseState.RECTIFYING}), target=CaseState.PENDING_CLOSURE,
            required=("note",), needs_evidence=True, accepts_files=True,
        ),
        Transition(
            "close", "销号",
            sources=frozenset({CaseState.PENDING_CLOSURE}), target=CaseState.CLOSED,
            optional=("note",), needs_evidence=True, button="success",
        ),
        Transition(
            "return", "退回整改",
            sources=frozenset({CaseState.PENDING_CLOSURE}), target=CaseState.RECTIFYING,
            required=("reason",), optional=("deadline",), button="outline-danger",
        ),
        Transition(
            "reopen", "重新打开（回头看）",
            sources=frozenset({CaseState.CLOSED}), target=CaseState.RECTIFYING,
            required=("reason",), optional=("deadline",), accepts_files=True, button="outline-danger",
        ),
        Transition(
            "reverify", "重新核查",
            sources=frozenset({CaseState.NOT_TRUE}), target=CaseState.VERIFYING,
            required=("reason",), button="outline-danger",
        ),
        Transition(
            "withdraw", "撤销案件",
            sources=frozenset(OPEN_STATES), target=CaseState.WITHDRAWN,
            required=("reason",), optional=("duplicate_of",), button="outline-danger",
        ),
        Transition(
            "set_deadline", "设定完成时限",
            sources=frozenset({CaseState.PENDING_VERIFICATION, CaseState.VERIFYING, CaseState.RECTIFYING}),
            target=None, required=("deadline",), optional=("note",), button="outline-primary",
        ),
    ]
}

#: transitions offered as bulk actions on the ledger (working group only)
BULK_TRANSITIONS = ("assign", "set_deadline")

#: field name → Chinese label, for forms and refusal messages
FIELD_LABELS = {
    "reason": "原因",
    "note": "说明",
    "verifying_unit": "核查单位",
    "verifying_person": "核查人",
    "verification_result": "核查结果",
    "verification_note": "核查情况",
    "measures": "整改措施",
    "responsible_unit": "责任单位",
    "responsible_person": "责任人",
    "deadline": "完成时限",
    "duplicate_of": "重复案件编号（ID）",
}


def available_transitions(case, user) -> list[Transition]:
    """The transitions this user may take on this case now (for the page's buttons)."""
    return [t for t in TRANSITIONS.values() if case.state in t.sources and t.allows_role(user)]


def transition_to(state: str, target: str) -> Transition | None:
    """The state-changing transition from `state` to `target`, for clients that name the target
    state instead of the transition (there is at most one per pair)."""
    matches = [t for t in TRANSITIONS.values() if t.target == target and state in t.sources]
    return matches[0] if len(matches) == 1 else None
