"""Work that apps above rectification do when a case changes state, called by
services.case_transition inside its transaction (so it commits or rolls back with the change).
Those apps register their handler in their AppConfig.ready: rectification never imports them,
and every handler is listed here by whoever registers it, not found through signals."""

from collections.abc import Callable

#: handler(case=, user=, event=, from_state=) — called after every state-changing transition
_after_transition: list[Callable] = []


def on_case_transition(handler: Callable) -> Callable:
    if handler not in _after_transition:
        _after_transition.append(handler)
    return handler


def case_transitioned(*, case, user, event, from_state: str) -> None:
    for handler in _after_transition:
        handler(case=case, user=user, event=event, from_state=from_state)
