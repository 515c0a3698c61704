"""Counts of very large lists.

An exact aggregate over two million complaints is a parallel sequential scan (about half a second
at province scale) on every page view. Where the planner expects more than `CACHE_ABOVE_ROWS`
rows, the figures are computed once and kept in the cache for `CACHE_SECONDS`; the page says when
they were computed. Smaller lists (every county and town) are always exact."""

import hashlib
import json

from django.core.cache import cache
from django.db import connections
from django.utils import timezone

CACHE_ABOVE_ROWS = 100_000
CACHE_SECONDS = 10 * 60


def estimated_rows(queryset) -> int | None:
    """The PostgreSQL planner's estimate of the queryset's rows (EXPLAIN, nothing is executed);
    None on other databases."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def large_list_figures(queryset, compute, *, key: str) -> dict:
    """compute(queryset) → dict, exact for lists the planner expects to be small; for large ones
    the cached result (computed at most every CACHE_SECONDS) with `cached_at` set."""
    estimate = estimated_rows(queryset)
    if estimate is None or estimate <= CACHE_ABOVE_ROWS:
        return {**compute(queryset), "cached_at": None}
    sql, params = queryset.order_by().query.sql_with_params()
    digest = hashlib.sha256(f"{key}|{sql}|{params!r}".encode()).hexdigest()
    cache_key = f"large-list:{digest}"
    figures = cache.get(cache_key)
    if figures is None:
        figures = {**compute(queryset), "cached_at": timezone.now()}
        cache.set(cache_key, figures, CACHE_SECONDS)
    return figures
