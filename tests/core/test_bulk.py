"""core.bulk: COPY's text format, ids reserved from a sequence, and the garbage collector held off
during a bulk step."""

import gc

import pytest
from django.db import connection

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
