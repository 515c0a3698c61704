from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import jobs
from .sms import sms_send  # noqa: F401 - defined beside its service (core.sms enqueues it); found here by autodiscovery


@shared_task(name="core.tasks.heartbeat", time_limit=60, soft_time_limit=50)
def heartbeat() -> str:
    """Proves beat, the broker and a worker are alive: /healthz (core.health) reads the last beat."""
    stamp = timezone.now().isoformat()
    cache.set("core:last_heartbeat", stamp, timeout=None)
    return stamp


@shared_task(name="core.tasks.add", time_limit=60, soft_time_limit=50)
def add(x: int, y: int) -> int:
    return x + y


@shared_task(name="core.tasks.import_job_run", time_limit=jobs.TIME_LIMIT, soft_time_limit=jobs.SOFT_TIME_LIMIT)
def import_job_run(job_id: int) -> None:
    """Runs one import job (core.jobs); safe to deliver twice."""
    jobs.job_run(job_id)

