"""Ten officers press 销号 on the same case through the API at the same moment: one 200, nine
clear 409s in JSON, never a 500.

Runs on the embedded default (SQLite) and on PostgreSQL (DATABASE_URL). On SQLite the test
database is in memory with a shared cache, whose table locks are not what a deployment meets:
the threads get a file copy of it instead, opened with the project's settings (WAL, busy
timeout, BEGIN IMMEDIATE), as `make run` does. On PostgreSQL they share the test database."""

import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from rest_framework.test import APIClient

from core.api import exception_handler
from rectification import services
from rectification.models import Case, CaseEvent, CaseState
from tests.rectification.factories import CaseFactory, add_evidence

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

THREADS = 10


def in_thread(fn):
    """Runs fn in a new thread (a new database connection, as a request would get) and returns
    its result."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result["value"]


@pytest.fixture
def open_for_threads(tmp_path):
    """Call once the rows are in place: from then on, new threads open, on SQLite, a file copy of
    the in-memory test database with the project's OPTIONS; elsewhere the test database itself."""
    original = connections.settings["default"]

    def switch():
        if connection.vendor != "sqlite":
            return
        path = tmp_path / "concurrency.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        connections.settings["default"] = {**original, "NAME": str(path)}

    yield switch
    connections.settings["default"] = original


def test_the_embedded_default_queues_writers_instead_of_failing(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor == "sqlite":
        assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
        assert "journal_mode=wal" in options["init_command"].replace(" ", "").lower()
    else:
        assert "transaction_mode" not in options


@pytest.fixture
def slow_lock(monkeypatch):
    """Each transition holds its transaction open a little after reading the case (as a large
    upload would), so that the ten transactions overlap on every run, not by chance."""
    lock_case = services._lock_case

    def slowly(**kwargs):
        case = lock_case(**kwargs)
        time.sleep(0.2)
        return case

    monkeypatch.setattr(services, "_lock_case", slowly)


def test_ten_simultaneous_closures_through_the_api(estates, county_user, open_for_threads, slow_lock):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    open_for_threads()
    if connection.vendor == "sqlite":
        assert in_thread(lambda: connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
    barrier = threading.Barrier(THREADS)
    responses = []

    def close():
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(county_user)
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(f"/api/v1/cases/{case.pk}/transition/",
                                         {"transition": "close", "note": "同时销号"}, format="json"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1), [(r.status_code, r.content[:200]) for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused["Content-Type"] == "application/json"
        assert refused.json()["detail"] in (
            "案件当前状态为“已销号”，不能执行“销号”。", "系统繁忙：该记录正由他人办理，请稍后刷新重试。")
    closed = in_thread(lambda: (CaseEvent.objects.filter(case_id=case.pk, transition="close").count(),
                                Case.objects.get(pk=case.pk).state))
    assert closed == (1, CaseState.CLOSED)


def test_a_lock_held_past_the_timeout_is_a_409_in_json_and_a_bug_a_json_500():
    busy = exception_handler(OperationalError("database is locked"), {})
    assert busy.status_code == 409 and busy.data["detail"] == "系统繁忙：该记录正由他人办理，请稍后刷新重试。"
    bug = exception_handler(ZeroDivisionError("division by zero"), {})
    assert bug.status_code == 500 and bug.data == {"detail": "服务器内部错误，已记录，请稍后重试或联系系统管理员。"}


def test_a_page_meeting_a_held_lock_shows_a_409_page():
    from django.test import RequestFactory

    from core.middleware import DomainErrorMiddleware

    request = RequestFactory().post("/rectification/cases/1/do/close/")
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 409 and "系统繁忙" in response.content.decode()
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, OperationalError("disk I/O error")) is None
