"""/healthz for the intranet's monitoring: one JSON document, 200 when every configured part is
healthy, 503 otherwise. A part the deployment does not use (Redis, the Celery worker and beat on
the embedded default of `make run`; a replica) is reported as 未配置 and does not fail it.

- database: `SELECT 1` on default (and on the replica, with its lag, when there is one)
- redis: PING with a 1-second timeout
- celery_worker: a broadcast ping answered by at least one worker within 1 second
- celery_beat: the last run of core.tasks.heartbeat (beat sends it every 5 minutes; a worker runs it
  and writes the time to the shared cache), at most HEALTH_BEAT_MAX_AGE seconds old
- media_disk: free space of the file store's file system, at least HEALTH_MIN_FREE_BYTES"""

import shutil
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .db_router import REPLICA, replica_configured, replica_lag_seconds

OK, FAILED, UNCONFIGURED = "正常", "异常", "未配置"
HEARTBEAT_KEY = "core:last_heartbeat"


def _ok(**detail):
    return {"status": OK, **detail}


def _failed(detail: str, **more):
    return {"status": FAILED, "detail": detail, **more}


def _unconfigured(detail: str):
    return {"status": UNCONFIGURED, "detail": detail}


def check_database() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failed(f"数据库无法连接：{exc.__class__.__name__}")
    result = _ok(vendor=connections["default"].vendor)
    if replica_configured():
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as exc:
            return _failed(f"只读副本无法连接：{exc.__class__.__name__}")
        result["replica_lag_seconds"] = replica_lag_seconds()
    return result


def check_redis() -> dict:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return _unconfigured("未设置 REDIS_URL：缓存在进程内，后台任务在请求中执行")
    import redis  # here: only deployments with Redis import the client

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return _failed(f"Redis 无法连接：{exc.__class__.__name__}")
    return _ok()


def check_celery_worker() -> dict:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return _unconfigured("未设置 REDIS_URL：任务在请求进程中执行，没有 worker")
    from celery import current_app  # here: the app is configured by config.celery once Django is set up

    try:
        replies = current_app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001  (broker down: any kombu/redis error means "no worker")
        return _failed(f"无法联系 Celery worker：{exc.__class__.__name__}")
    if not replies:
        return _failed("没有 Celery worker 在 1 秒内应答")
    return _ok(workers=sorted(name for reply in replies for name in reply))


def check_celery_beat() -> dict:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return _unconfigured("未设置 REDIS_URL：没有定时任务调度（celery beat）")
    try:
        stamp = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001  (the cache is Redis: its errors are reported by check_redis)
        return _failed(f"无法读取定时任务心跳：{exc.__class__.__name__}")
    if not stamp:
        return _failed("尚无定时任务心跳记录（celery beat 或 worker 未运行）")
    last = datetime.fromisoformat(stamp)
    age = (timezone.now() - last).total_seconds()
    max_age = settings.HEALTH_BEAT_MAX_AGE
    if age > max_age:
        return _failed(f"定时任务心跳已 {int(age // 60)} 分钟未更新（上限 {max_age // 60} 分钟）", last_run=stamp)
    return _ok(last_run=stamp, age_seconds=int(age))


def check_media_disk() -> dict:
    if getattr(settings, "PRIVATE_MEDIA_S3", {}).get("bucket_name"):
        return _ok(storage="s3", detail="文件存放在对象存储，容量由对象存储管理")
    root = settings.PRIVATE_MEDIA_ROOT
    try:
        root.mkdir(parents=True, exist_ok=True)
        usage = shutil.disk_usage(root)
    except OSError as exc:
        return _failed(f"文件存储目录不可用：{exc.__class__.__name__}")
    minimum = settings.HEALTH_MIN_FREE_BYTES
    detail = {"free_bytes": usage.free, "total_bytes": usage.total, "min_free_bytes": minimum}
    if usage.free < minimum:
        return _failed(f"文件存储剩余空间不足（剩余 {usage.free // 1024 ** 2} MB）", **detail)
    return _ok(**detail)


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "celery_worker": check_celery_worker,
    "celery_beat": check_celery_beat,
    "media_disk": check_media_disk,
}


def health() -> tuple[bool, dict]:
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(result["status"] != FAILED for result in results.values())
    return healthy, {"status": OK if healthy else FAILED, "time": timezone.now().isoformat(), "checks": results}


@never_cache
@require_GET
def healthz(request):
    healthy, body = health()
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
