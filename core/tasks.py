from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="core.tasks.heartbeat", time_limit=60, soft_time_limit=50)
def heartbeat() -> str:
    """Proves the broker and a worker are alive; the admin home shows the last beat."""
    stamp = timezone.now().isoformat()
    cache.set("core:last_heartbeat", stamp, timeout=None)
    return stamp


@shared_task(name="core.tasks.add", time_limit=60, soft_time_limit=50)
def add(x: int, y: int) -> int:
    return x + y
