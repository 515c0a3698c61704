"""Work that apps above rectification do when a case changes state (services.case_transition) or
a supervision step is recorded or lifted (services.supervision_record, supervision_lift), called
inside the service's transaction (so it commits or rolls back with the change).
Those apps register their handler in their AppConfig.ready: rectification never imports them,
and every handler is listed here by whoever registers it, not found through signals."""

from collections.abc import Callable

#: handler(case=, user=, event=, from_state=) — called after every state-changing transition
_after_transition: list[Callable] = []
#: handler(action=, user=) — called by services.supervision_record after the step and its event
_after_supervision: list[Callable] = []
#: handler(action=, user=) — called by services.supervision_lift after the lifting and its event
_after_supervision_lift: list[Callable] = []


def on_case_transition(handler: Callable) -> Callable:
    if handler not in _after_transition:
        _after_transition.append(handler)
    return handler


def case_transitioned(*, case, user, event, from_state: str) -> None:
    for handler in _after_transition:
        handler(case=case, user=user, event=event, from_state=from_state)


def on_supervision_recorded(handler: Callable) -> Callable:
    if handler not in _after_supervision:
        _after_supervision.append(handler)
    return handler


def supervision_recorded(*, action, user) -> None:
    for handler in _after_supervision:
        handler(action=action, user=user)


def on_supervision_lifted(handler: Callable) -> Callable:
    if handler not in _after_supervision_lift:
        _after_supervision_lift.append(handler)
    return handler


def supervision_lifted(*, action, user) -> None:
    for handler in _after_supervision_lift:
        handler(action=action, user=user)


#: resolver(kind=, estate_ids=) → {estate id: subject id} — the default developer or committee of
#: the estates of new cases whose category's default subject is not the enterprise
_subject_default: list[Callable] = []


def on_subject_default(handler: Callable) -> Callable:
    if handler not in _subject_default:
        _subject_default.append(handler)
    return handler


def subject_defaults(*, kind: str, estate_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for handler in _subject_default:
        found.update(handler(kind=kind, estate_ids=estate_ids))
    return found
