"""The daily overdue job: one 超期 event per case per overdue episode, notifications, e-mail."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from core.models import Notification
from rectification.models import Case, CaseEvent, CaseState
from rectification.tasks import record_overdue_cases
from tests.factories import UserFactory
from tests.rectification.factories import CaseFactory, rectifying_case

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 10)


@pytest.fixture
def late_case(estates):
    return rectifying_case(estates["haiyang_1"], deadline=TODAY - timedelta(days=2))


@time_machine.travel(TODAY, tick=False)
def test_runs_twice_records_once(late_case, community_user, town_user, other_town_user, enterprise_user):
    assert record_overdue_cases() == 1
    assert record_overdue_cases() == 0
    events = CaseEvent.objects.filter(case=late_case, kind="overdue")
    assert events.count() == 1 and "2 天" in events.get().note
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {community_user.username, town_user.username, enterprise_user.username}
    assert Notification.objects.get(user=town_user).url == f"/rectification/cases/{late_case.pk}/"


@time_machine.travel(TODAY, tick=False)
def test_new_deadline_is_a_new_episode(late_case):
    record_overdue_cases()
    Case.objects.filter(pk=late_case.pk).update(deadline=TODAY - timedelta(days=1))
    assert record_overdue_cases() == 1
    assert CaseEvent.objects.filter(case=late_case, kind="overdue").count() == 2


@time_machine.travel(TODAY, tick=False)
def test_closed_and_not_yet_due_cases_are_ignored(estates):
    CaseFactory(estate=estates["haiyang_1"], state=CaseState.CLOSED, deadline=TODAY - timedelta(days=5))
    rectifying_case(estates["haiyang_2"], deadline=TODAY)
    assert record_overdue_cases() == 0
    assert not CaseEvent.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_email_only_when_configured(late_case, settings, tree):
    UserFactory(username="mailme", role="community", region=tree["xiuyang"], email="a@example.com")
    settings.EMAIL_HOST = ""
    record_overdue_cases()
    assert mail.outbox == []


@time_machine.travel(TODAY, tick=False)
def test_email_when_configured(late_case, settings, tree, django_capture_on_commit_callbacks):
    UserFactory(username="mailme", role="community", region=tree["xiuyang"], email="a@example.com")
    settings.EMAIL_HOST = "smtp.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        record_overdue_cases()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.com"] and "案件超期" in mail.outbox[0].subject


@time_machine.travel(TODAY, tick=False)
def test_overdue_is_computed_and_shown_on_home(client, town_user, late_case):
    from tests.conftest import login

    assert late_case.is_overdue and late_case.days_overdue == 2
    assert list(Case.objects.overdue()) == [late_case]
    body = login(client, town_user).get("/accounts/home/").content.decode()
    assert "已超期案件（1）" in body and "超期 2 天" in body


@time_machine.travel(TODAY, tick=False)
def test_home_lists_cases_due_within_three_days(client, town_user, other_town_user, estates):
    from tests.conftest import login

    rectifying_case(estates["haiyang_1"], deadline=TODAY + timedelta(days=3))
    rectifying_case(estates["haiyang_2"], deadline=TODAY + timedelta(days=4))
    rectifying_case(estates["wanan_1"], deadline=TODAY + timedelta(days=1))
    body = login(client, town_user).get("/accounts/home/").content.decode()
    assert "3 天内到期（1）" in body and "海阳花园" in body
    body = login(client, other_town_user).get("/accounts/home/").content.decode()
    assert "3 天内到期（1）" in body and "横江苑" in body and "海阳花园" not in body
