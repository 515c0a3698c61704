"""The demo steps of seed_demo that read more than one app."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from inspections.models import VisitLine
from rectification.models import Case, CaseClue, CaseEvent, CaseEventKind, CaseState, SupervisionAction


def date_timelines(context: dict) -> None:
    """The last ledger step of seed_demo, after every app has opened its cases: the services ran
    "now", so each case is dated after the fact, consistently. A clue from an inspection is dated
    on its visit; a case opens at its first clue; its events follow in their order, a few days
    apart (closer when the case is recent), never after now; it is closed when its closing event
    happened. Then every identity of reporting.identities holds on the demo."""
    county = context.get("county")
    if county is None:
        return
    now = timezone.now()
    tz = timezone.get_current_timezone()
    clues = CaseClue.objects.filter(case__region_path__startswith=county.path)
    visit_days = dict(VisitLine.objects.filter(
        pk__in=[int(pk) for pk in clues.filter(source_app_label="inspections").values_list("source_object_id", flat=True)]
    ).values_list("pk", "visit__visited_on"))
    for clue in clues.filter(source_app_label="inspections"):
        day = visit_days.get(int(clue.source_object_id))
        if day is not None:
            received = min(datetime.combine(day, time(16, clue.pk % 60), tz), now)
            CaseClue.objects.filter(pk=clue.pk).update(received_at=received)
    received: dict[int, list] = {}
    for case_id, at in clues.order_by("received_at", "pk").values_list("case_id", "received_at"):
        received.setdefault(case_id, []).append(at)
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.filter(case__region_path__startswith=county.path).order_by("at", "pk"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.filter(region_path__startswith=county.path).order_by("pk"):
        clue_times = received.get(case.pk) or [case.created_at]
        opened = min(clue_times[0], now)
        joined = iter(clue_times[1:])  # each later clue joins the case when it arrives
        timeline = events.get(case.pk, [])
        # a recent case's steps are closer together, so that they all fit before now
        spacing = min(1.0, (now - opened) / timedelta(days=4 * max(1, len(timeline))))
        at, closed_at = opened, None
        for index, event in enumerate(timeline):
            if index:
                at += timedelta(days=1 + (case.pk * 7 + index * 3) % 6, hours=(case.pk + index) % 9) * spacing
            if event.kind == CaseEventKind.CLUE_JOINED:
                at = max(at, next(joined, at))
            at = min(at, now - timedelta(minutes=len(timeline) - index))
            CaseEvent.objects.filter(pk=event.pk).update(at=at)
            if event.kind == CaseEventKind.SUPERVISION and event.data.get("supervision_id"):
                SupervisionAction.objects.filter(pk=event.data["supervision_id"]).update(
                    occurred_on=timezone.localdate(at))
            if event.kind == CaseEventKind.TRANSITION and event.to_state == CaseState.CLOSED:
                closed_at = at
        Case.objects.filter(pk=case.pk).update(
            created_at=opened, closed_at=closed_at if case.state == CaseState.CLOSED else None)
