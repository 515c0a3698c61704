"""On real Redis, a real `celery beat` and a real worker build the county workbook on its due day
without any manual call: the beat entry (set here to fire at the next minute) sends the daily
task, the worker decides the county is due today, builds and stores version 1.

Runs when REDIS_URL is set and the database is PostgreSQL (a worker in another process cannot
share the SQLite test database); REQUIRE_CELERY_WORKER=1 turns a missing broker into a failure."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from reporting.models import ReportingDuty, StoredReport, StoredReportStatus
from tests.factories import EstateFactory, UserFactory
from tests.rectification.factories import rectifying_case

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(args, env):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def _stop(proc):
    proc.terminate()
    try:
        return proc.communicate(timeout=20)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0].decode(errors="replace")


def test_beat_and_worker_store_the_due_workbook(tree, tmp_path):
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_CELERY_WORKER") == "1":
            pytest.fail("REQUIRE_CELERY_WORKER=1 但未设置 REDIS_URL")
        pytest.skip("REDIS_URL 未设置：真实 Celery beat + worker 测试只在 Redis 可用时运行")
    if connection.vendor != "postgresql":
        pytest.skip("worker 子进程无法共享 SQLite 测试数据库：此测试只在 PostgreSQL 上运行")

    county = tree["county"]
    UserFactory(username="county-beat", role=Role.COUNTY_GROUP, region=county)
    rectifying_case(EstateFactory(community=tree["xiuyang"]))
    # the county's own duty falls due today, so the daily job must build it now
    ReportingDuty.objects.filter(reporter="county").update(is_active=False)
    ReportingDuty.objects.create(
        code="county-monthly", name="县专班月度汇总", region=county, reporter="county", receiver="city_bureau",
        due_day=timezone.localdate().day, report_kind="county_monthly",
    )

    queue = f"reporting-beat-test-{os.getpid()}"
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "tests.reporting.beat_settings", "DATABASE_URL": _database_url(),
        "CELERY_TEST_QUEUE": queue, "MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"), "DB_CONN_MAX_AGE": "0",
    }
    worker = _start(["worker", "--pool=solo", "-l", "info", "-Q", queue, "-n", f"{queue}@%h",
                     "--without-gossip", "--without-mingle", "--without-heartbeat"], env)
    beat = _start(["beat", "-l", "info", "-s", str(tmp_path / "beat-schedule"), "--pidfile="], env)
    logs = ""
    try:
        deadline = time.monotonic() + 150  # the next minute boundary, plus the build
        report = None
        while time.monotonic() < deadline:
            for proc, name in ((worker, "worker"), (beat, "beat")):
                if proc.poll() is not None:
                    pytest.fail(f"celery {name} exited: " + proc.stdout.read().decode(errors="replace"))
            report = StoredReport.objects.filter(region=county, status=StoredReportStatus.READY).first()
            if report is not None:
                break
            time.sleep(2)
    finally:
        logs = _stop(beat) + _stop(worker)
    assert report is not None, "no workbook was stored within 150 s\n" + logs[-4000:]
    assert (report.period, report.version, report.trigger) == (timezone.localdate().strftime("%Y-%m"), 1, "schedule")
    assert report.rows == 1 and report.finished_at is not None
    assert (tmp_path / "private" / report.file.name).stat().st_size > 5000
    assert "reporting.tasks.build_due_county_reports" in logs
