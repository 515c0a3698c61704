"""The public form's complaint joins its case in a worker when there is a broker (join_later):
the web request writes the complaint and its event only; complaint_join_case groups it and texts
the code, once, however often it runs; the beat's sweep joins what a worker never reached."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Channel, Complaint
from config.celery import app
from core.models import SmsMessage

from .factories import complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """As in production: tasks go to a broker (here: the message is only recorded). The autouse
    _celery_in_process fixture puts eager mode back afterwards."""
    sent = []
    app.conf.task_always_eager = False
    monkeypatch.setattr(app, "send_task", lambda name, args=None, **kw: sent.append((name, args)))
    return sent


def test_with_a_broker_the_request_only_writes_the_complaint(broker, estates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        c = complaint(estates["haiyang_1"], channel=Channel.QR_CODE, join_later=True)
    c.refresh_from_db()
    assert c.case_id is None and c.clue_id is None
    assert broker == [(services.JOIN_TASK, [c.pk])]
    assert not SmsMessage.objects.exists()  # the worker texts, after grouping


def test_the_worker_joins_once_and_texts_once(broker, estates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        c = complaint(estates["haiyang_1"], channel=Channel.QR_CODE, join_later=True)
    app.conf.task_always_eager = True  # the worker's own SMS task, in-process here
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaint_join_case(complaint_id=c.pk) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaint_join_case(complaint_id=c.pk) is False  # redelivered: nothing more
    c.refresh_from_db()
    assert c.case is not None and c.clue.case_id == c.case_id and c.case.complainant_count == 1
    assert SmsMessage.objects.filter(key=f"complaint-received:{c.pk}").count() == 1


def test_without_a_broker_the_complaint_joins_at_once(estates):
    c = complaint(estates["haiyang_1"], channel=Channel.QR_CODE, join_later=True)
    assert c.case_id is not None


def test_the_sweep_joins_only_old_public_complaints_without_a_case(broker, estates):
    old = complaint(estates["haiyang_1"], channel=Channel.QR_CODE, join_later=True)
    fresh = complaint(estates["haiyang_1"], phone="13800002222", join_later=True)
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(minutes=10))
    assert services.complaints_join_pending() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.case_id is not None and fresh.case_id is None
    assert services.complaints_join_pending(older_than=timedelta(0)) == 1
    fresh.refresh_from_db()
    assert fresh.case_id == old.case_id and fresh.case.complainant_count == 2  # 多人同诉: two numbers
