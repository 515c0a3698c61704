"""One report log: a unit's and an enterprise's monthly report write the same ReportEvent, through
one review service; the events of both old logs moved into it."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from reporting import periods, services
from reporting.models import ReportEvent, UnitReportStatus

NARRATIVE = {"progress": "完成辖区小区全覆盖排查", "problems": "停车位划线待表决"}


def this_month():
    return timezone.localdate().strftime("%Y-%m")


def _submitted(kind, *, town_user, enterprise_user):
    if kind == "unit":
        return services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    return services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), **NARRATIVE)


@pytest.mark.parametrize("kind", ["unit", "enterprise"])
@pytest.mark.parametrize(("action", "note", "state"), [("accept", "", "accepted"), ("return", "请补充具体小区", "returned")])
def test_reviewing_either_kind_writes_one_report_event(kind, action, note, state, town_user, enterprise_user,
                                                        office_user, ledger):
    report = _submitted(kind, town_user=town_user, enterprise_user=enterprise_user)
    before = set(ReportEvent.objects.values_list("pk", flat=True))

    reviewed = services.report_review(user=office_user, report_kind=kind, report_id=report.pk, action=action, note=note)

    [event] = ReportEvent.objects.exclude(pk__in=before)
    assert reviewed.status == state and event.report == reviewed
    assert (event.kind, event.from_state, event.to_state, event.actor, event.note) == (
        action, UnitReportStatus.SUBMITTED, state, office_user, note)
    assert [e.kind for e in reviewed.events.all()] == ["submit", action]


@pytest.mark.parametrize("kind", ["unit", "enterprise"])
def test_a_review_refused_writes_nothing(kind, town_user, enterprise_user, other_town_user, office_user, ledger):
    report = _submitted(kind, town_user=town_user, enterprise_user=enterprise_user)
    with pytest.raises(services.PermissionDenied):
        services.report_review(user=other_town_user, report_kind=kind, report_id=report.pk, action="accept")
    with pytest.raises(services.InvalidState, match="退回原因"):
        services.report_review(user=office_user, report_kind=kind, report_id=report.pk, action="return", note=" ")
    assert ReportEvent.objects.count() == 1


def test_an_event_belongs_to_exactly_one_report(db):
    with pytest.raises(IntegrityError):
        ReportEvent.objects.create(kind="submit", to_state="submitted")
