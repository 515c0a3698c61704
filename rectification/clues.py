"""Moving a clue between cases (调整并案 / 拆分), for the apps whose rows are clues (complaints).

The callers own the rule for counting complainants (the complaints app counts distinct phone
numbers), so these helpers take the new counts instead of adding up clue counts."""

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from communities.models import Estate
from core.bulk import Background, copy_available, copy_lines, copy_text, reserve_ids
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


CASE_COLUMNS = ["estate_id", "region_path", "enterprise_id", "category_id", "campaign_id", "description", "source",
                "complainant_count"]
CLUE_COLUMNS = ["case_id", "source", "reference", "description", "source_app_label", "source_object_id",
                "complainant_count", "received_at"]
EVENT_COLUMNS = ["case_id", "kind", "label", "from_state", "to_state", "note", "data"]


def clues_open_or_join_bulk(*, items: list[dict], actor: User | None = None, ids_known=None) -> list[tuple[int, int]]:
    """The bulk form of services.case_open_or_join for imports (12345 work orders): for each item
    (estate, category, campaign_id, source, reference, description, received_at, source_app_label,
    source_object_id, complainant_count) records a clue on the open case of the same estate and
    category, opening one case per new (estate, category) pair. A bounded number of queries
    whatever the number of items: the estates are locked in one query (the same lock the
    single-clue service takes); on PostgreSQL the ids are taken from the sequences first, then new
    cases, clues and events are written with one COPY each and the open cases' complainant counts
    with one UPDATE; elsewhere with bulk_create and bulk_update.

    `ids_known([(case_id, clue_id)])`, if given, is called in the transaction once the ids are
    known: on PostgreSQL before the cases and clues are written (the caller writes its own rows,
    whose foreign keys are checked at commit, while this function formats its rows in a thread),
    elsewhere after.

    Returns [(case_id, clue_id)] in the order of `items`."""
    if not items:
        return []

    with transaction.atomic():
        estate_ids = sorted({item["estate"].pk for item in items})
        list(Estate.objects.select_for_update().filter(pk__in=estate_ids).order_by("pk").values_list("pk", flat=True))
        # key → [case id, state]; the oldest open case wins (iterated last)
        cases = {}
        for pk, estate_id, category_id, state in (
            Case.objects.select_for_update().filter(estate_id__in=estate_ids, state__in=OPEN_STATES)
            .order_by("-pk").values_list("pk", "estate_id", "category_id", "state")
        ):
            cases[(estate_id, category_id)] = [pk, state]
        open_keys = set(cases)
        keys, new_items = [], {}
        for item in items:
            key = (item["estate"].pk, item["category"].pk)
            keys.append(key)
            if key not in cases and key not in new_items:
                new_items[key] = item
        added = {}
        for key, item in zip(keys, items, strict=True):
            added[key] = added.get(key, 0) + item.get("complainant_count", 1)
        now = timezone.now()
        fast = copy_available()
        actor_id = actor.pk if actor is not None else None
        new_state = Case._meta.get_field("state").get_default()
        case_rows = []
        for key, item in new_items.items():
            estate = item["estate"]
            case_rows.append((
                estate.pk, estate.community.path, estate.enterprise_id, item["category"].pk, item.get("campaign_id"),
                item.get("description") or item["category"].label, item["source"], added[key],
            ))
        if fast:
            case_ids = reserve_ids(Case, len(case_rows))
        else:
            new_cases = [Case(**dict(zip(CASE_COLUMNS, row, strict=True)), created_by_id=actor_id) for row in case_rows]
            Case.objects.bulk_create(new_cases, batch_size=2000)
            case_ids = [case.pk for case in new_cases]
        for key, pk in zip(new_items, case_ids, strict=True):
            cases[key] = [pk, new_state]

        clue_rows = [
            (cases[key][0], item["source"], item.get("reference", ""), item.get("description", ""),
             item.get("source_app_label", ""), str(item.get("source_object_id", "")), item.get("complainant_count", 1),
             item["received_at"])
            for item, key in zip(items, keys, strict=True)
        ]
        if fast:
            clue_ids = reserve_ids(CaseClue, len(clue_rows))
        else:
            clues = [CaseClue(**dict(zip(CLUE_COLUMNS, row, strict=True))) for row in clue_rows]
            CaseClue.objects.bulk_create(clues, batch_size=2000)
            clue_ids = [clue.pk for clue in clues]
        pairs = [(row[0], clue_id) for row, clue_id in zip(clue_rows, clue_ids, strict=True)]

        def event_rows():
            created = set(new_items)
            for key, clue_id, row in zip(keys, clue_ids, clue_rows, strict=True):
                state = cases[key][1]
                first = key in created
                created.discard(key)
                yield (row[0], CaseEventKind.CREATED.value if first else CaseEventKind.CLUE_JOINED.value,
                       "登记案件" if first else "并案（多人同诉）", "" if first else state, state, "" if first else row[3],
                       {"clue_id": clue_id, "source": row[1], "reference": row[2], "complainant_count": row[6]})

        joined = sorted((cases[key][0], added[key]) for key in open_keys & set(keys))
        if fast:
            def format_rows():
                text = copy_text
                return [
                    ["\t".join([text(v) for v in (pk, *row)]) for pk, row in zip(case_ids, case_rows, strict=True)],
                    ["\t".join([text(v) for v in (pk, *row)]) for pk, row in zip(clue_ids, clue_rows, strict=True)],
                    ["\t".join([text(v) for v in row]) for row in event_rows()],
                ]

            formatted = Background(format_rows)
            if ids_known is not None:
                ids_known(pairs)
            case_lines, clue_lines, event_lines = formatted.result()
            copy_lines(Case, ["id", *CASE_COLUMNS], case_lines,
                       constants={"created_by_id": actor_id, "created_at": now, "state": new_state}, now=now)
            copy_lines(CaseClue, ["id", *CLUE_COLUMNS], clue_lines, now=now)
            copy_lines(CaseEvent, EVENT_COLUMNS, event_lines, constants={"actor_id": actor_id, "at": now}, now=now)
            if joined:
                table = connection.ops.quote_name(Case._meta.db_table)  # from the model, not from input
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} AS c SET complainant_count = c.complainant_count + v.n "  # noqa: S608
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, n) WHERE c.id = v.id",
                        [[pk for pk, _ in joined], [n for _, n in joined]],
                    )
        else:
            CaseEvent.objects.bulk_create([
                CaseEvent(**dict(zip(EVENT_COLUMNS, row, strict=True)), actor_id=actor_id, at=now) for row in event_rows()
            ], batch_size=2000)
            by_pk = Case.objects.in_bulk([pk for pk, _ in joined])  # locked above: the counts are current
            for pk, n in joined:
                by_pk[pk].complainant_count += n
            Case.objects.bulk_update(list(by_pk.values()), ["complainant_count"], batch_size=500)
            if ids_known is not None:
                ids_known(pairs)
    return pairs
