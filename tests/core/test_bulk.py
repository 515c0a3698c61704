"""core.bulk: COPY's text format, ids reserved from a sequence, and the garbage collector held off
during a bulk step."""

import gc
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from complaints.models import Channel, ComplaintStatus
from core import bulk
from rectification.models import CaseClue

ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL 的序列（CI 的第二轮运行）")


def test_copy_text_escapes_what_copy_reads_specially():
    assert bulk.copy_text("C:\\temp\t积水\n严重\r") == "C:\\\\temp\\t积水\\n严重\\r"
    assert bulk.copy_row(("甲", 1, None, True, False)) == "甲\t1\t\\N\tt\tf"


def test_json_is_written_as_jsonb_reads_it():
    # other scripts as they are (jsonb stores the same value either way), escapes still escaped
    assert bulk.copy_text({"reference": "12345热线 GD1"}) == '{"reference": "12345热线 GD1"}'
    assert bulk.copy_text({"note": 'a "quote"\tand a tab'}) == '{"note": "a \\\\"quote\\\\"\\\\tand a tab"}'


@pytest.mark.parametrize("row", [
    ("GD1", 7, None, date(2026, 11, 3), datetime(2026, 11, 3, 9, 12, tzinfo=UTC), True, {"clue_id": 1}),
    ("C:\\temp", None, "x"),  # a backslash beside a NULL: as many backslashes as NULLs, not the same ones
    ("\\N", 1),  # the text \N, not a NULL
    ("a\tb", "c"),  # a tab inside a value adds a separator
    ("第一行\n第二行", "回车\r"),
    ({"note": 'a "quote"'}, None),  # JSON that escapes a quote with a backslash
    ([1, "二"], Decimal("1.50"), 2.5, "末"),
    (ComplaintStatus.RECEIVED, Channel.HOTLINE_12345),  # str enums as their values
])
def test_a_row_is_the_values_copy_text_joined_by_tabs(row):
    # copy_row joins the values first and escapes only when its one check of the line says so
    assert bulk.copy_row(row) == "\t".join(bulk.copy_text(value) for value in row)


def test_the_collector_is_held_off_inside_and_restored_after():
    assert gc.isenabled()
    with bulk.gc_paused():
        assert not gc.isenabled()
        with bulk.gc_paused():  # nested: the outer step turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), bulk.gc_paused():
        raise ValueError
    assert gc.isenabled()


@ON_POSTGRESQL
@pytest.mark.django_db
def test_ids_are_reserved_ascending_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = bulk.reserve_ids(CaseClue, 5)
    assert len(set(ids)) == 5 and ids == sorted(ids)
