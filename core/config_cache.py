"""Reference data read on every request or row (channel rules, the working-day calendar, the active
campaigns, the leaf categories), cached in Django's cache for CONFIG_CACHE_SECONDS. Saving or
deleting such a row (admin, fixtures) drops the entry at once in this process (and, with Redis,
from the shared cache); another process's copy (LOCAL_SECONDS, or its LocMem cache without Redis),
or a change made with queryset.update() or bulk_create (no signals), is seen within the timeout."""

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

CONFIG_CACHE_SECONDS = 60
#: a process also keeps what it read for this long, so a busy page does not ask the shared cache
#: (one Redis round trip each) several times per request: another process sees a change made
#: elsewhere within these seconds; the process that saved it, at once
LOCAL_SECONDS = 5

_local: dict[str, tuple[float, object]] = {}


def cached(key: str, compute):
    """The value under `key`: this process's copy if younger than LOCAL_SECONDS, else the shared
    cache's, else compute() (kept CONFIG_CACHE_SECONDS). Callers must not mutate what they get."""
    now = time.monotonic()
    hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CONFIG_CACHE_SECONDS)
    _local[key] = (now + LOCAL_SECONDS, value)
    return value


def forget(key: str) -> None:
    _local.pop(key, None)
    cache.delete(key)


def forget_local() -> None:
    """Drops this process's copies (tests: the rows of a rolled-back test must not outlive it)."""
    _local.clear()


def forget_on_change(key: str, *models) -> None:
    """Drops `key` whenever a row of one of `models` is saved or deleted."""
    def receiver(**kwargs):
        forget(key)

    for model in models:
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"cfg:{key}:{label}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"cfg:{key}:{label}:delete")
