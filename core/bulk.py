"""Bulk writes: `bulk_insert` is the one call that writes many rows, by COPY in text format on
PostgreSQL and by bulk_create elsewhere; primary keys can be reserved from the sequence first. A
COPY formats its rows as psycopg2 sends them, so Python's work on one chunk overlaps PostgreSQL's
on the one before. One mechanism for the 12345 import and the batch intake (complaints.importer,
rectification.services.clues_intake) and the scale generator (portal.scale)."""

import gc
import json
import re
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

#: tests switch COPY off to cover the portable path (bulk_create / bulk_update) on PostgreSQL too;
#: deployments on a PostgreSQL-compatible database with a different COPY set DATABASE_COPY=off
COPY_ENABLED = True

_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_json_text = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps without its per-call set-up


def copy_available() -> bool:
    """PostgreSQL through psycopg2 (COPY … FROM STDIN via copy_expert)."""
    return (COPY_ENABLED and getattr(settings, "DATABASE_COPY", True) and connection.vendor == "postgresql"
            and getattr(connection.Database, "__name__", "") == "psycopg2")


def copy_text(value, special=_COPY_SPECIAL.search) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is str:
        if special(value) is None:
            return value
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is dict or kind is list:  # jsonb: the same value whether other scripts are escaped or not
        return copy_text(_json_text(value))
    return copy_text(str(value))


class _Lines:
    """A file for copy_expert that formats the rows as psycopg2 reads them, so PostgreSQL takes
    in one chunk while Python formats the next (two processes, two cores)."""

    def __init__(self, lines):
        self.lines = lines

    def read(self, size=-1):
        parts, total = [], 0
        for line in self.lines:
            parts.append(line)
            total += len(line)
            if 0 < size <= total:
                break
        return "".join(parts)

    def readline(self, size=-1):
        return next(self.lines, "")


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector held off while a bulk step builds hundreds of thousands
    of objects that all stay alive until it ends (a file's rows, their checks, their COPY lines):
    each collection would walk them and free nothing (a 50,000-row confirm step ran ~1,400, six
    to nine of them over every object: 10-15 % of its Python time). Reference counting frees
    everything as usual; cycles made meanwhile are collected once the step is over. Usable as a
    decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def reserve_ids(model, n: int) -> list[int]:
    """n primary keys taken from the table's sequence (PostgreSQL), ascending, in one query. The
    sequence is looked up once (a materialized CTE): inside nextval() pg_get_serial_sequence
    would run, with its catalog lookups, for every row."""
    if n <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS id) "
            "SELECT array_agg(nextval(seq.id)) FROM seq, generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n])
        return sorted(cursor.fetchone()[0])


def copy_lines(model, columns: list[str], lines, *, constants: dict | None = None, now=None) -> None:
    """Writes rows with one PostgreSQL COPY. Each line holds the `columns` (attnames, the primary
    key included or not) as copy_text of each value joined by tabs, without the newline; lines may
    be a generator, formatted as psycopg2 sends them. `constants` (attname → value) are the same
    on every row; the other columns get their field default (auto_now fields: `now`), the way
    bulk_create would fill them."""
    now = now or timezone.now()
    constants = dict(constants or {})
    fields = {f.attname: f for f in model._meta.concrete_fields}
    for attname, f in fields.items():
        if attname in columns or attname in constants or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[attname] = now
        elif f.has_default():
            constants[attname] = f.get_default()
        elif f.null:
            constants[attname] = None
        elif f.empty_strings_allowed:
            constants[attname] = ""
        else:
            raise ValueError(f"{model.__name__}.{attname} needs a value")
    names = [fields[c].column for c in [*columns, *constants]]
    suffix = "".join("\t" + copy_text(value) for value in constants.values()) + "\n"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN",
            _Lines(line + suffix for line in lines), size=1 << 16)


def bulk_insert(model, columns: list[str], rows, *, constants: dict | None = None, now=None,
                copy: bool | None = None, batch_size: int = 2000) -> list:
    """Writes rows of `model` in a number of statements that does not grow with the rows (COPY)
    or grows only by batch (bulk_create). Each row holds the values of `columns` (attnames, the
    primary key included or not); `constants` (attname → value) are the same on every row.

    `copy` (default: copy_available()) picks COPY: then a row may also be a line already formatted
    by copy_row (a thread can format while the database works) and nothing is returned. Otherwise
    the rows go through bulk_create and their primary keys are returned in order."""
    if copy is None:
        copy = copy_available()
    if copy:
        copy_lines(model, columns, (row if type(row) is str else copy_row(row) for row in rows),
                   constants=constants, now=now)
        return []
    constants = constants or {}
    objs = [model(**dict(zip(columns, row, strict=True)), **constants) for row in rows]
    model.objects.bulk_create(objs, batch_size=batch_size)
    return [obj.pk for obj in objs]


def copy_row(values, text=copy_text) -> str:
    """One row as a COPY line (without its newline), for bulk_insert. The values are joined as
    they are and the line is checked once: when its backslashes are only those of its NULLs and
    its tabs only the separators, no value needed escaping (the usual row, a third cheaper than
    escaping value by value); otherwise each value goes through copy_text."""
    parts = []
    append = parts.append
    nulls = 0
    for value in values:
        kind = type(value)
        if kind is str:
            append(value)
        elif value is None:
            append("\\N")
            nulls += 1
        elif kind is int:
            append(str(value))
        elif kind is datetime or kind is date:
            append(value.isoformat())
        elif kind is bool:
            append("t" if value else "f")
        elif kind is dict or kind is list:
            append(_json_text(value))
        else:
            append(str(value))
    line = "\t".join(parts)
    if line.count("\\") == nulls and line.count("\t") == len(parts) - 1 and "\n" not in line and "\r" not in line:
        return line
    return "\t".join([text(v) for v in values])


def refresh_statistics(*models) -> None:
    """ANALYZE (PostgreSQL) after a bulk load, so the planner knows the rows are there; without
    models, every table. Inside a transaction ANALYZE counts the transaction's own new rows, so a
    caller that goes on to query what it just loaded (seed_demo's reports) gets plans for the real
    sizes. The sizes are written in place and outlive a rollback, which is harmless: a plan made
    for more rows than there are stays cheap, while a table the planner takes for empty (what a
    VACUUM of rolled-back rows records) joins thousands of rows by nested loops."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}".strip())
