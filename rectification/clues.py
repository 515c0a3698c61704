"""Moving a clue between cases (调整并案 / 拆分), for the apps whose rows are clues (complaints).

The callers own the rule for counting complainants (the complaints app counts distinct phone
numbers), so these helpers take the new counts instead of adding up clue counts."""

from django.db import transaction

from accounts.models import User
from core.errors import InvalidState, NotFound

from .models import OPEN_STATES, Case, CaseClue, CaseEvent, CaseEventKind, CaseState


def _lock_cases(*pks) -> dict[int, Case]:
    # Fixed lock order (primary key) so two moves in opposite directions cannot deadlock.
    cases = Case.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {c.pk: c for c in cases}


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
        CaseEvent.objects.bulk_create([
            CaseEvent(case=source, actor=actor, kind=CaseEventKind.ACTION, transition="clue_moved_out",
                      label="线索移出", from_state=source.state, to_state=source.state,
                      note=f"线索移至案件 {target.number}。理由：{reason}", data=data),
            CaseEvent(case=target, actor=actor, kind=CaseEventKind.CLUE_JOINED, transition="clue_moved_in",
                      label="线索移入（并案）", from_state=target.state, to_state=target.state,
                      note=f"线索自案件 {source.number} 移入。理由：{reason}", data=data),
        ])
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
        CaseEvent.objects.bulk_create([
            CaseEvent(case=source, actor=actor, kind=CaseEventKind.ACTION, transition="clue_split_out",
                      label="拆分线索", from_state=source.state, to_state=source.state,
                      note=f"线索拆分为新案件 {new_case.number}。理由：{reason}", data=data),
            CaseEvent(case=new_case, actor=actor, kind=CaseEventKind.CREATED, transition="clue_split_in",
                      label="登记案件（拆分）", from_state="", to_state=new_case.state,
                      note=f"自案件 {source.number} 拆分。理由：{reason}", data=data),
        ])
        for pk, count in (counts_after(new_case.pk) if counts_after else {}).items():
            Case.objects.filter(pk=pk).update(complainant_count=count)
    return new_case


def clues_open_or_join_bulk(*, items: list[dict], actor: User | None = None) -> list[tuple[int, int]]:
    """The bulk form of services.case_open_or_join for imports (12345 work orders): for each item
    (estate, category, campaign_id, source, reference, description, received_at, source_app_label,
    source_object_id, complainant_count) records a clue on the open case of the same estate and
    category, opening one case per new (estate, category) pair. A bounded number of queries
    whatever the number of items: the estates are locked in one query (the same lock the
    single-clue service takes), cases, clues and events are written with bulk_create.

    Returns [(case_id, clue_id)] in the order of `items`."""
    if not items:
        return []
    from communities.models import Estate

    with transaction.atomic():
        estate_ids = sorted({item["estate"].pk for item in items})
        list(Estate.objects.select_for_update().filter(pk__in=estate_ids).order_by("pk").values_list("pk", flat=True))
        open_cases = {}
        for case in (
            Case.objects.select_for_update().filter(estate_id__in=estate_ids, state__in=OPEN_STATES).order_by("-pk")
        ):
            open_cases[(case.estate_id, case.category_id)] = case  # the oldest wins (iterated last)
        new_cases = {}
        for item in items:
            key = (item["estate"].pk, item["category"].pk)
            if key in open_cases or key in new_cases:
                continue
            estate = item["estate"]
            new_cases[key] = Case(
                estate=estate, region_path=estate.community.path, enterprise_id=estate.enterprise_id,
                category=item["category"], campaign_id=item.get("campaign_id"),
                description=item.get("description") or item["category"].label, source=item["source"],
                complainant_count=0, created_by=actor,
            )
        Case.objects.bulk_create(list(new_cases.values()), batch_size=500)
        cases = {**open_cases, **new_cases}
        clues, events, added = [], [], {}
        created_keys = set(new_cases)
        for item in items:
            key = (item["estate"].pk, item["category"].pk)
            case = cases[key]
            count = item.get("complainant_count", 1)
            added[case.pk] = added.get(case.pk, 0) + count
            clues.append(CaseClue(
                case=case, source=item["source"], reference=item.get("reference", ""),
                description=item.get("description", ""), source_app_label=item.get("source_app_label", ""),
                source_object_id=str(item.get("source_object_id", "")), complainant_count=count,
                received_at=item["received_at"],
            ))
        CaseClue.objects.bulk_create(clues, batch_size=500)
        for item, clue in zip(items, clues, strict=True):
            key = (item["estate"].pk, item["category"].pk)
            case = cases[key]
            first = key in created_keys
            created_keys.discard(key)
            events.append(CaseEvent(
                case=case, actor=actor, kind=CaseEventKind.CREATED if first else CaseEventKind.CLUE_JOINED,
                label="登记案件" if first else "并案（多人同诉）", from_state="" if first else case.state,
                to_state=case.state, note="" if first else clue.description,
                data={"clue_id": clue.pk, "source": clue.source, "reference": clue.reference,
                      "complainant_count": clue.complainant_count},
            ))
        CaseEvent.objects.bulk_create(events, batch_size=500)
        touched = list(cases[key] for key in {(i["estate"].pk, i["category"].pk) for i in items})
        for case in touched:
            case.complainant_count += added.get(case.pk, 0)
        Case.objects.bulk_update(touched, ["complainant_count"], batch_size=500)
    return [(clue.case_id, clue.pk) for clue in clues]
