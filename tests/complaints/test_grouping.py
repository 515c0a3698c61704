"""多人同诉: complaints of one estate and category share one case that counts distinct complainants."""

import pytest

from complaints import services
from complaints.models import Complaint
from rectification.models import Case, CaseEvent, CaseState
from tests.rectification.factories import CaseFactory

from .factories import complaint

pytestmark = pytest.mark.django_db


def test_three_complaints_from_different_phones_make_one_case_with_count_3(estates):
    estate = estates["haiyang_1"]
    first = complaint(estate, phone="13800001111")
    second = complaint(estate, phone="13900002222")
    third = complaint(estate, phone="13700003333", channel="12345", reference="GD20250001")
    assert first.case_id == second.case_id == third.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.complainant_count == 3
    assert case.clues.count() == 3
    assert Case.objects.filter(estate=estate).count() == 1


def test_the_same_phone_twice_counts_once_and_anonymous_count_each(estates):
    estate = estates["haiyang_1"]
    complaint(estate, phone="13800001111")
    again = complaint(estate, phone="+86 138-0000-1111")  # same number, written differently
    complaint(estate, phone="")
    complaint(estate, phone="")
    case = Case.objects.get(pk=again.case_id)
    assert case.clues.count() == 4
    assert case.complainant_count == 3  # one number + two anonymous
    assert services.case_complainant_count(case.pk) == 3


def test_another_category_or_a_closed_case_opens_a_new_case(estates):
    estate = estates["haiyang_1"]
    a = complaint(estate, code="A1")
    b = complaint(estate, code="B2")
    assert a.case_id != b.case_id
    Case.objects.filter(pk=a.case_id).update(state=CaseState.CLOSED)
    c = complaint(estate, code="A1")
    assert c.case_id not in (a.case_id, b.case_id)


def test_move_recounts_both_cases_and_writes_both_timelines(estates, county_user):
    estate = estates["haiyang_1"]
    a1 = complaint(estate, phone="13800001111")
    complaint(estate, phone="13900002222")
    target = CaseFactory(estate=estate, complainant_count=0, category=a1.category)
    services.complaint_move(complaint_id=a1.pk, to_case_id=target.pk, user=county_user, reason="同一栋楼的另一问题")
    a1.refresh_from_db()
    assert a1.case_id == target.pk and a1.clue.case_id == target.pk
    source = Case.objects.exclude(pk=target.pk).get(estate=estate)
    assert source.complainant_count == 1
    target.refresh_from_db()
    assert target.complainant_count == 1
    out = CaseEvent.objects.get(case=source, transition="clue_moved_out")
    into = CaseEvent.objects.get(case=target, transition="clue_moved_in")
    assert out.actor == into.actor == county_user
    assert "同一栋楼的另一问题" in out.note and "同一栋楼的另一问题" in into.note


def test_split_opens_a_new_case_with_events_on_both(estates, town_user):
    estate = estates["haiyang_1"]
    a = complaint(estate, phone="13800001111")
    b = complaint(estate, phone="13900002222")
    services.complaint_split(complaint_id=b.pk, user=town_user, reason="反映的是停车问题")
    b.refresh_from_db()
    assert b.case_id != a.case_id
    assert Case.objects.get(pk=a.case_id).complainant_count == 1
    assert Case.objects.get(pk=b.case_id).complainant_count == 1
    assert CaseEvent.objects.filter(case_id=a.case_id, transition="clue_split_out", actor=town_user).exists()
    assert CaseEvent.objects.filter(case_id=b.case_id, transition="clue_split_in", actor=town_user).exists()
    assert b.events.filter(kind="split").exists()


def test_move_refuses_a_case_outside_the_scope(estates, town_user):
    a = complaint(estates["haiyang_1"])
    other = complaint(estates["wanan_1"])
    from core.errors import NotFound

    with pytest.raises(NotFound):
        services.complaint_move(complaint_id=a.pk, to_case_id=other.case_id, user=town_user, reason="x")
    with pytest.raises(NotFound):
        services.complaint_move(complaint_id=other.pk, to_case_id=a.case_id, user=town_user, reason="x")


def test_a_split_of_the_only_clue_is_refused(estates, county_user):
    from core.errors import InvalidState

    a = complaint(estates["haiyang_1"])
    with pytest.raises(InvalidState):
        services.complaint_split(complaint_id=a.pk, user=county_user, reason="x")
    assert Complaint.objects.get(pk=a.pk).case_id == a.case_id


def test_read_only_and_enterprise_users_cannot_move(estates, city_user, enterprise_user):
    from core.errors import PermissionDenied

    a = complaint(estates["haiyang_1"])
    for user in (city_user, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.complaint_move(complaint_id=a.pk, to_case_id=a.case_id, user=user, reason="x")
