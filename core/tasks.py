from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import jobs, sms


@shared_task(name="core.tasks.heartbeat", time_limit=60, soft_time_limit=50)
def heartbeat() -> str:
    """Proves the broker and a worker are alive; the admin home shows the last beat."""
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


@shared_task(
    name="core.tasks.sms_send", bind=True, time_limit=60, soft_time_limit=45,
    autoretry_for=(sms.SmsTransientError,), retry_backoff=30, retry_backoff_max=30 * 60, retry_jitter=True,
    max_retries=sms.MAX_ATTEMPTS,
)
def sms_send(self, message_id: int) -> str:
    """Sends one queued SMS (core.sms.sms_deliver): claimed first, so a second delivery sends
    nothing; a transient gateway error is retried with backoff (30 s, 60 s, … up to 30 min)."""
    return sms.sms_deliver(message_id=message_id)
