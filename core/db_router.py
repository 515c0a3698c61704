"""Reports and dashboards read from a PostgreSQL read replica when DATABASE_REPLICA_URL is set.

A router cannot tell a report's query from a ledger's by the model (both read Case), so the views
that may read slightly old data say so: `@replica_reads` (or `with replica_reading():`) marks the
current request or task, and `ReplicaRouter` sends its reads to "replica". Every write, and every
read outside such a block (lists, forms, the login), stays on "default". The dashboard shows the
replica's lag (`replica_lag_seconds`) so that a figure a minute older than its list is explained."""

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"

_reading = contextvars.ContextVar("replica_reading", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reading():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view):
    """A view (or task) whose reads may go to the replica."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reading():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of default: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def replica_lag_seconds() -> float | None:
    """How far the replica is behind (seconds since the last replayed transaction, 0 when it has
    replayed everything it received); None without a replica or when it cannot be asked."""
    if not replica_configured():
        return None
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
                "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            return float(cursor.fetchone()[0])
    except DatabaseError:
        return None
