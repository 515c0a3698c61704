"""Bulk actions of the working group: each selected case goes through case_transition."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rectification.models import CaseEvent, CaseState
from tests.conftest import login
from tests.rectification.factories import CaseFactory

# bulk: writes through core.bulk (COPY or bulk_create); CI runs these again with DATABASE_COPY=off
pytestmark = [pytest.mark.django_db, pytest.mark.bulk]


def test_assign_verifying_unit(client, county_user, estates, tree):
    a = CaseFactory(estate=estates["haiyang_1"])
    b = CaseFactory(estate=estates["haiyang_2"])
    response = login(client, county_user).post("/rectification/cases/bulk/", {
        "transition": "assign", "case_ids": [a.pk, b.pk], "verifying_unit": tree["haiyang"].pk, "verifying_person": "张科长"})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.verifying_unit == b.verifying_unit == tree["haiyang"]
    assert CaseEvent.objects.filter(transition="assign").count() == 2


def test_set_deadline_reports_refusals_per_case(client, county_user, estates):
    ok = CaseFactory(estate=estates["haiyang_1"])
    closed = CaseFactory(estate=estates["haiyang_2"], state=CaseState.CLOSED)
    deadline = timezone.localdate() + timedelta(days=7)
    response = login(client, county_user).post("/rectification/cases/bulk/", {
        "transition": "set_deadline", "case_ids": [ok.pk, closed.pk], "deadline": deadline.isoformat()}, follow=True)
    ok.refresh_from_db()
    assert ok.deadline == deadline
    body = response.content.decode()
    assert "已对 1 件案件执行“设定完成时限”" in body and f"案件 {closed.pk}" in body


def test_town_user_cannot_bulk(client, town_user, estates):
    case = CaseFactory(estate=estates["haiyang_1"])
    response = login(client, town_user).post("/rectification/cases/bulk/", {
        "transition": "set_deadline", "case_ids": [case.pk], "deadline": "2099-01-01"})
    assert response.status_code == 403
    assert not CaseEvent.objects.exists()


def test_it_validates_ownership(client, tree, estates):
    from accounts.models import Role
    from tests.factories import UserFactory

    neighbour = UserFactory(role=Role.COUNTY_GROUP, region=tree["district"])
    case = CaseFactory(estate=estates["haiyang_1"])
    response = login(client, neighbour).post("/rectification/cases/bulk/", {
        "transition": "set_deadline", "case_ids": [case.pk], "deadline": "2099-01-01"}, follow=True)
    assert "案件不存在或不在您的管辖范围内" in response.content.decode()
    case.refresh_from_db()
    assert case.deadline is None


def test_state_changing_transitions_are_not_bulk(client, county_user, estates):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    response = login(client, county_user).post("/rectification/cases/bulk/", {"transition": "close", "case_ids": [case.pk]})
    assert response.status_code == 400
