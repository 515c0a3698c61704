"""Reference data read on every request or row (channel rules, the working-day calendar, the active
campaigns, the leaf categories), cached in Django's cache for CONFIG_CACHE_SECONDS. Saving or
deleting such a row (admin, fixtures) drops the entry at once in this process (and, with Redis,
everywhere); another gunicorn worker's LocMem copy, or a change made with queryset.update() or
bulk_create (no signals), is seen within the timeout."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

CONFIG_CACHE_SECONDS = 60


def cached(key: str, compute):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CONFIG_CACHE_SECONDS)
    return value


def forget_on_change(key: str, *models) -> None:
    """Drops `key` whenever a row of one of `models` is saved or deleted."""
    def receiver(**kwargs):
        cache.delete(key)

    for model in models:
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"cfg:{key}:{label}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"cfg:{key}:{label}:delete")
