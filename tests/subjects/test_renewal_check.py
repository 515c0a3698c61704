"""The daily 换届 check opens exactly one case per committee, however often it runs."""

from datetime import date, timedelta

from campaigns.models import SubjectKind
from rectification.models import Case, CaseClue
from subjects.checks import committee_renewal_check
from subjects.tasks import run_committee_renewal_check

from .conftest import committee_for

TODAY = date(2026, 12, 3)


def test_overdue_committee_opens_one_case_when_run_twice(estates, county_user):
    committee = committee_for(county_user, estates["haiyang_1"], term_end=TODAY - timedelta(days=10))
    first = committee_renewal_check(today=TODAY)
    second = committee_renewal_check(today=TODAY)
    assert first == {"due": 0, "overdue": 1} and second == {"due": 0, "overdue": 0}
    [case] = Case.objects.filter(estate=estates["haiyang_1"])
    assert case.category.code == "H6" and case.subject_kind == SubjectKind.COMMITTEE
    assert case.owners_committee_id == committee.pk
    assert CaseClue.objects.filter(case=case).count() == 1


def test_due_then_overdue_join_one_case(estates, county_user):
    committee_for(county_user, estates["haiyang_2"], term_end=TODAY + timedelta(days=30))
    committee_for(county_user, estates["wanan_1"], term_end=TODAY + timedelta(days=300))  # not due yet
    assert committee_renewal_check(today=TODAY, due_days=90) == {"due": 1, "overdue": 0}
    assert committee_renewal_check(today=TODAY, due_days=90) == {"due": 0, "overdue": 0}
    later = TODAY + timedelta(days=31)
    assert committee_renewal_check(today=later, due_days=90) == {"due": 0, "overdue": 1}
    assert committee_renewal_check(today=later, due_days=90) == {"due": 0, "overdue": 0}
    [case] = Case.objects.filter(estate=estates["haiyang_2"])
    assert case.clues.count() == 2  # the due finding opened it, the overdue one joined it
    assert not Case.objects.filter(estate=estates["wanan_1"]).exists()


def test_a_renewed_committee_is_not_found(estates, county_user):
    committee_for(county_user, estates["haiyang_1"], term_end=TODAY - timedelta(days=10))
    committee_for(county_user, estates["haiyang_1"], term_end=TODAY + timedelta(days=5 * 365))  # 换届 recorded
    assert committee_renewal_check(today=TODAY) == {"due": 0, "overdue": 0}


def test_task_runs_the_check(estates, county_user):
    committee_for(county_user, estates["haiyang_1"], term_end=date.today() - timedelta(days=1))
    assert run_committee_renewal_check()["overdue"] == 1
    assert run_committee_renewal_check()["overdue"] == 0
