"""A real Celery worker executes tasks through the real Redis broker (not eager mode).

Runs when REDIS_URL is set (the second CI pass); .ci/run sets REQUIRE_CELERY_WORKER=1 so a missing
broker there fails instead of skipping."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from complaints import import_views
from complaints.models import Channel, Complaint
from config.celery import app
from core import jobs
from core.models import ImportJob, SmsMessage
from core.tasks import add, heartbeat
from tests.complaints.factories import complaint, xlsx
from tests.complaints.test_import import _clean_rows

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.celery_worker


def _test_database_url() -> str | None:
    """The test database as a DATABASE_URL for the worker's process (None for SQLite's in-memory one)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    auth = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


@pytest.fixture(scope="module")
def worker_media(tmp_path_factory):
    """The private store the worker and the tests share."""
    return tmp_path_factory.mktemp("worker-private")


@pytest.fixture(scope="module")
def worker(django_db_setup, worker_media):
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_CELERY_WORKER") == "1":
            pytest.fail("REQUIRE_CELERY_WORKER=1 但未设置 REDIS_URL")
        pytest.skip("REDIS_URL 未设置：真实 Celery worker 测试只在 Redis 可用时运行")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "PRIVATE_MEDIA_ROOT": str(worker_media)}
    if _test_database_url():  # the worker reads and writes the tests' database
        env["DATABASE_URL"] = _test_database_url()
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning", "-Q", "default,imports,reports",
         "-n", f"ci-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("Celery worker exited: " + proc.stdout.read().decode(errors="replace"))
            if app.control.ping(timeout=1.0):
                break
        else:
            pytest.fail("Celery worker did not answer a ping within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_worker_executes_a_task_through_redis(worker):
    assert app.conf.task_always_eager is False
    result = add.delay(2, 3)
    assert result.get(timeout=30) == 5
    # it went through the broker: the result backend is Redis and a worker took it
    assert result.backend.__class__.__name__ == "RedisBackend"


def test_heartbeat_task_writes_the_shared_cache(worker):
    cache.delete("core:last_heartbeat")
    stamp = heartbeat.delay().get(timeout=30)
    assert cache.get("core:last_heartbeat") == stamp


@pytest.mark.django_db(transaction=True)
def test_worker_runs_an_import_job_end_to_end(worker, worker_media, settings, reference_data, estates, county_user):
    if _test_database_url() is None:
        pytest.skip("测试数据库是 SQLite 内存库，worker 进程无法访问：在 PostgreSQL 上运行")
    settings.PRIVATE_MEDIA_ROOT = worker_media
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    job = jobs.job_create(owner=county_user, kind=import_views.PREVIEW_JOB, data=xlsx(_clean_rows()),
                          file_name="工单.xlsx")
    deadline = time.monotonic() + 60
    while ImportJob.objects.get(pk=job.pk).state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error_message
    assert job.rows_done == job.rows_total == 6 and job.result["counts"]["new"] == 5
    assert (worker_media / job.result["pending"]["rows_path"]).exists() and not job.file


@pytest.mark.django_db(transaction=True)
def test_worker_joins_a_public_complaint_to_its_case_and_texts_it(worker, reference_data, estates):
    """The public form with a broker (complaint_create join_later): the request commits the
    complaint alone, the worker groups it into a case through the intake and queues its SMS."""
    if _test_database_url() is None:
        pytest.skip("测试数据库是 SQLite 内存库，worker 进程无法访问：在 PostgreSQL 上运行")
    filed = complaint(estates["haiyang_1"], channel=Channel.QR_CODE, phone="13812349876", join_later=True)
    assert filed.case_id is None  # not in the request
    deadline = time.monotonic() + 60
    while Complaint.objects.get(pk=filed.pk).clue_id is None and time.monotonic() < deadline:
        time.sleep(0.2)
    joined = Complaint.objects.select_related("case").get(pk=filed.pk)
    assert joined.clue_id is not None and joined.case.complainant_count == 1
    while not SmsMessage.objects.filter(key=f"complaint-received:{filed.pk}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert SmsMessage.objects.filter(key=f"complaint-received:{filed.pk}").count() == 1
