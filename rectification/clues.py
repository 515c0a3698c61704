"""Moving a clue between cases (调整并案 / 拆分), for the apps whose rows are clues (complaints).
Clues come in through services.clues_intake.

The callers own the complainant keys (the complaints app's phone digests; the rule is
rectification.complainants), so these helpers take the new counts instead of adding up clue
counts."""

from django.db import transaction

from accounts.models import User
from core.errors import InvalidState, NotFound

from .models import OPEN_STATES, Case, CaseClue, CaseEventKind, CaseState
from .services import case_events_record


def _lock_cases(*pks) -> dict[int, Case]:
    # Fixed lock order (primary key) so two moves in opposite directions cannot deadlock.
    cases = Case.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {c.pk: c for c in cases}


def _event(case: Case, actor: User | None, kind: str, transition: str, label: str, state: str, note: str,
           data: dict) -> dict:
    return {"case_id": case.pk, "actor_id": actor.pk if actor is not None else None, "kind": kind,
            "transition": transition, "label": label, "from_state": state, "to_state": state, "note": note,
            "data": data}


def clue_move(*, clue_id: int, to_case_id: int, actor: User | None, reason: str, counts: dict[int, int]) -> CaseClue:
    """Moves a clue to another open case and writes one CaseEvent on each case (who, why).
    `counts` maps case id → its complainant count after the move."""
    with transaction.atomic():
        clue = CaseClue.objects.select_for_update().filter(pk=clue_id).first()
        if clue is None:
            raise NotFound("线索不存在。")
        from_case_id = clue.case_id
        if from_case_id == to_case_id:
            raise InvalidState("该线索已在目标案件中。")
        cases = _lock_cases(from_case_id, to_case_id)
        source, target = cases[from_case_id], cases.get(to_case_id)
        if target is None:
            raise NotFound("目标案件不存在。")
        if target.state not in OPEN_STATES:
            raise InvalidState(f"目标案件当前为“{target.get_state_display()}”，只能并入在办案件。")
        clue.case = target
        clue.save(update_fields=["case"])
        data = {"clue_id": clue.pk, "from_case": source.pk, "to_case": target.pk, "reference": clue.reference}
        case_events_record(events=[
            _event(source, actor, CaseEventKind.ACTION, "clue_moved_out", "线索移出", source.state,
                   f"线索移至案件 {target.number}。理由：{reason}", data),
            _event(target, actor, CaseEventKind.CLUE_JOINED, "clue_moved_in", "线索移入（并案）", target.state,
                   f"线索自案件 {source.number} 移入。理由：{reason}", data),
        ], copy=False)
        for pk, count in counts.items():
            Case.objects.filter(pk=pk).update(complainant_count=count)
    return clue


def clue_split(*, clue_id: int, actor: User | None, reason: str, category=None, counts_after=None) -> Case:
    """Splits a clue out into a new case (待核查) of the same estate (and the given category, or
    the old one), writing one CaseEvent on each case. `counts_after(new_case_id)` returns the
    case id → complainant count map once the clue has moved."""
    with transaction.atomic():
        clue = CaseClue.objects.select_for_update().filter(pk=clue_id).first()
        if clue is None:
            raise NotFound("线索不存在。")
        source = _lock_cases(clue.case_id)[clue.case_id]
        if source.clues.count() < 2:
            raise InvalidState("该案件只有这一条线索，无需拆分。")
        new_case = Case.objects.create(
            estate_id=source.estate_id, region_path=source.region_path, enterprise_id=source.enterprise_id,
            category=category or source.category, campaign_id=source.campaign_id,
            description=clue.description or source.description, source=clue.source,
            state=CaseState.PENDING_VERIFICATION, complainant_count=clue.complainant_count, created_by=actor,
        )
        clue.case = new_case
        clue.save(update_fields=["case"])
        data = {"clue_id": clue.pk, "from_case": source.pk, "to_case": new_case.pk, "reference": clue.reference}
        case_events_record(events=[
            _event(source, actor, CaseEventKind.ACTION, "clue_split_out", "拆分线索", source.state,
                   f"线索拆分为新案件 {new_case.number}。理由：{reason}", data),
            {**_event(new_case, actor, CaseEventKind.CREATED, "clue_split_in", "登记案件（拆分）", new_case.state,
                      f"自案件 {source.number} 拆分。理由：{reason}", data), "from_state": ""},
        ], copy=False)
        for pk, count in (counts_after(new_case.pk) if counts_after else {}).items():
            Case.objects.filter(pk=pk).update(complainant_count=count)
    return new_case
