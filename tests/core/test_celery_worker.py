"""A real Celery worker executes tasks through the real Redis broker (not eager mode).

Runs when REDIS_URL is set (the second CI pass); .ci/run sets REQUIRE_CELERY_WORKER=1 so a missing
broker there fails instead of skipping."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from core.tasks import add, heartbeat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.celery_worker


@pytest.fixture(scope="module")
def worker():
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_CELERY_WORKER") == "1":
            pytest.fail("REQUIRE_CELERY_WORKER=1 但未设置 REDIS_URL")
        pytest.skip("REDIS_URL 未设置：真实 Celery worker 测试只在 Redis 可用时运行")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning",
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
