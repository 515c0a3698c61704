"""Operations (issue 20): the one client address behind a trusted proxy (rate limits and the login
lockout), request ids and JSON log lines, /healthz, `manage.py jobs_failed`, the replica router,
the task queues, the COPY switch and the S3 file store's delegation."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import RequestFactory
from django.utils import timezone

from core import bulk, db_router, files, health
from core.models import ImportJob
from core.net import axes_client_ip, client_ip
from core.request_id import JsonFormatter, RequestIdFilter
from reporting.models import StoredReport, StoredReportStatus
from tests.conftest import PASSWORD

rf = RequestFactory()


# ---------------------------------------------------------------------------------------------
# client address


def test_forwarded_for_only_from_a_trusted_proxy_network(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.1.7", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "10.0.1.7"
    # the client's own header before nginx's append is skipped: the nearest untrusted address wins
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.5")
    assert client_ip(proxied) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_REAL_IP="198.51.100.9")) == "198.51.100.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="not-an-address")) == "10.0.0.7"


def test_axes_gets_none_without_an_address():
    request = rf.get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert axes_client_ip(request) is None
    assert axes_client_ip(rf.get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"


def test_no_trusted_proxy_means_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "127.0.0.1"


@pytest.mark.django_db
def test_login_lockout_counts_the_address_behind_the_proxy(client, town_user, settings):
    """Five failures from one office behind nginx lock that office out, not everyone behind nginx."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": town_user.username, "password": "wrong"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    locked = client.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD},
                         REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    other = client.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD},
                        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 302


# ---------------------------------------------------------------------------------------------
# request id and log lines


@pytest.mark.django_db
def test_request_id_is_made_or_honoured_and_returned(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-abc123")["X-Request-ID"] == "nginx-abc123"
    # a header that could break a log line is replaced
    assert client.get("/healthz", HTTP_X_REQUEST_ID='bad" id\n')["X-Request-ID"] != 'bad" id\n'


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id(client, settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert "/no-such-page/" in line["message"]


# ---------------------------------------------------------------------------------------------
# /healthz


@pytest.mark.django_db
def test_healthz_on_the_embedded_default(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.HEALTH_MIN_FREE_BYTES = 1
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "正常"
    checks = body["checks"]
    assert checks["database"]["status"] == "正常"
    assert checks["redis"]["status"] == "未配置"
    assert checks["celery_worker"]["status"] == "未配置"
    assert checks["celery_beat"]["status"] == "未配置"
    assert checks["media_disk"]["status"] == "正常" and checks["media_disk"]["free_bytes"] > 0


@pytest.mark.django_db
def test_healthz_fails_on_a_full_disk(client, settings):
    settings.HEALTH_MIN_FREE_BYTES = 1 << 62
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["media_disk"]["status"] == "异常"
    assert "剩余空间不足" in response.json()["checks"]["media_disk"]["detail"]


@pytest.mark.django_db
def test_healthz_fails_when_redis_is_configured_but_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    settings.HEALTH_MIN_FREE_BYTES = 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "异常"


@pytest.mark.django_db
def test_healthz_beat_is_stale_or_fresh(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(health.HEARTBEAT_KEY)
    assert health.check_celery_beat()["status"] == "异常"
    cache.set(health.HEARTBEAT_KEY, (timezone.now() - timedelta(hours=1)).isoformat())
    assert "未更新" in health.check_celery_beat()["detail"]
    from core.tasks import heartbeat

    heartbeat()
    assert health.check_celery_beat()["status"] == "正常"


# ---------------------------------------------------------------------------------------------
# manage.py jobs_failed


@pytest.mark.django_db
def test_jobs_failed_lists_failed_and_stuck_jobs(county_user, tree, settings):
    settings.JOBS_STUCK_AFTER = 3600
    out = io.StringIO()
    call_command("jobs_failed", stdout=out)
    assert "没有失败或卡住" in out.getvalue()

    ImportJob.objects.create(owner=county_user, kind="complaints-12345", file_name="坏文件.xlsx",
                             state=ImportJob.State.FAILED, error_message="表头不对")
    stuck = ImportJob.objects.create(owner=county_user, kind="complaints-12345", file_name="卡住.xlsx",
                                     state=ImportJob.State.RUNNING)
    ImportJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    ImportJob.objects.create(owner=county_user, kind="complaints-12345", file_name="刚提交.xlsx")  # not stuck yet
    StoredReport.objects.create(region=tree["county"], period="2026-11", version=1,
                                status=StoredReportStatus.FAILED, errors="磁盘已满")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("jobs_failed", "--exit-code", stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "坏文件.xlsx" in text and "表头不对" in text
    assert "卡住.xlsx" in text and "卡住（处理中）" in text
    assert "刚提交.xlsx" not in text
    assert "磁盘已满" in text
    assert "共 3 项" in text


# ---------------------------------------------------------------------------------------------
# several machines: replica router, queues, COPY switch, S3 store


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_replica_router_only_inside_replica_reads(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    router = db_router.ReplicaRouter()
    assert router.db_for_read(ImportJob) is None
    with db_router.replica_reading():
        assert router.db_for_read(ImportJob) == "replica"
        assert router.db_for_write(ImportJob) == "default"
    assert router.db_for_read(ImportJob) is None
    assert not router.allow_migrate("replica", "core")


@pytest.mark.django_db
def test_dashboard_shows_no_lag_without_a_replica(client, county_user):
    client.force_login(county_user)
    response = client.get("/reporting/dashboard/")
    assert response.status_code == 200
    assert "只读副本延迟" not in response.content.decode()
    assert db_router.replica_lag_seconds() is None


@pytest.mark.django_db
def test_dashboard_shows_the_replica_lag(client, county_user, monkeypatch):
    from reporting import views as reporting_views  # here: the view module whose name the test replaces

    monkeypatch.setattr(reporting_views, "replica_lag_seconds", lambda: 3.4)
    client.force_login(county_user)
    body = client.get("/reporting/dashboard/").content.decode()
    assert 'data-testid="replica-lag">只读副本延迟 3 秒' in body


@pytest.mark.django_db
def test_replica_lag_query(monkeypatch):
    """The lag query, run on the primary standing in for the replica: not in recovery, so 0."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("只读副本延迟只在 PostgreSQL 上查询")
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router, "connections", {"replica": connections["default"]})
    assert db_router.replica_lag_seconds() == 0.0


def test_tasks_are_routed_to_their_queues():
    from celery import current_app

    router = current_app.amqp.router
    assert router.route({}, "core.tasks.import_job_run")["queue"].name == "imports"
    assert router.route({}, "reporting.tasks.build_due_county_reports")["queue"].name == "reports"
    assert router.route({}, "core.tasks.heartbeat")["queue"].name == "default"


@pytest.mark.django_db
def test_database_copy_off_turns_the_copy_paths_off(settings):
    settings.DATABASE_COPY = False
    assert not bulk.copy_available()


class _FakeS3:
    """Stands in for storages' S3Storage: the delegation is ours, the S3 client is theirs."""

    def __init__(self):
        self.objects = {}

    def _save(self, name, content):
        self.objects[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        from django.core.files.base import ContentFile

        return ContentFile(self.objects[name], name=name)

    def exists(self, name):
        return name in self.objects

    def delete(self, name):
        self.objects.pop(name, None)

    def size(self, name):
        return len(self.objects[name])


def test_private_store_goes_to_s3_when_a_bucket_is_set(settings, monkeypatch, tmp_path):
    from django.core.files.base import ContentFile

    fake = _FakeS3()
    settings.PRIVATE_MEDIA_S3 = {**settings.PRIVATE_MEDIA_S3, "bucket_name": "wuye-private"}
    monkeypatch.setattr(files, "_s3_backend", lambda: fake)
    name = files.private_storage.save("complaints/202612/a.jpg", ContentFile(b"\xff\xd8\xffdata"))
    assert fake.objects[name] == b"\xff\xd8\xffdata"
    assert files.private_storage.exists(name)
    assert files.private_storage.open(name).read() == b"\xff\xd8\xffdata"
    assert not any(tmp_path.rglob("a*.jpg"))  # nothing on the local disk
    with pytest.raises(NotImplementedError):
        files.private_storage.path(name)
    files.private_storage.delete(name)
    assert not files.private_storage.exists(name)
