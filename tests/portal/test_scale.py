"""The scale generator builds the county data set with the promised counts and skew."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from communities.models import Estate
from complaints.models import Complaint
from portal import scale as scale_module
from rectification.models import Case, CaseEvent

# bulk: writes through core.bulk (COPY or bulk_create); CI runs these again with DATABASE_COPY=off
pytestmark = [pytest.mark.django_db, pytest.mark.bulk]


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(scale_module.SCALES, "county", scale_module.Scale(
        "county", cities=1, counties_per_city=1, towns_per_county=3, communities_per_town=2,
        estates=40, enterprises=8, complaints=1500, cases=600,
    ))


def test_counts_timelines_and_skew(tiny):
    call_command("generate_scale_data", "--scale", "county", verbosity=0)
    assert Estate.objects.filter(name__startswith="压测小区").count() == 40
    assert Case.objects.count() == 600
    assert CaseEvent.objects.values("case").distinct().count() == 600
    per_estate = sorted(Case.objects.values("estate").annotate(n=Count("id")).values_list("n", flat=True), reverse=True)
    # skewed: the busiest estate has several times the median's cases
    assert per_estate[0] >= 4 * per_estate[len(per_estate) // 2]
    # complaints: each is a clue of its case, and the case counts its distinct complainants
    assert 900 <= Complaint.objects.count() <= 2500
    case = Case.objects.filter(complaints__isnull=False).annotate(n=Count("complaints")).order_by("-n").first()
    phones = set(case.complaints.values_list("phone_hash", flat=True))
    anonymous = case.complaints.filter(phone_hash="").count()
    assert case.complainant_count == len(phones - {""}) + anonymous
    assert case.clues.count() == case.complaints.count()
    # every case sits under its estate's community in the region tree
    case = Case.objects.select_related("estate__community").first()
    assert case.region_path == case.estate.community.path


def test_refuses_a_second_run(tiny):
    call_command("generate_scale_data", "--scale", "county", verbosity=0)
    with pytest.raises(CommandError, match="压测数据已存在"):
        call_command("generate_scale_data", "--scale", "county", verbosity=0)


def _index_definitions(*tables):
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        # the name, whether it is unique or partial, and its columns (a rebuilt definition may spell a
        # partial index's condition with other casts)
        cursor.execute(
            "SELECT c.relname, i.indisunique, i.indpred IS NOT NULL, i.indkey::text, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) ORDER BY c.relname", [list(tables)])
        return cursor.fetchall()


def test_the_bulk_load_leaves_every_index_as_it_was(tiny):
    """The load drops the plain indexes of the tables it fills and builds them again afterwards."""
    tables = [Case._meta.db_table, Complaint._meta.db_table, CaseEvent._meta.db_table]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = _index_definitions(*tables)
    with CaptureQueriesContext(connection) as ctx:
        call_command("generate_scale_data", "--scale", "county", verbosity=0)
    assert _index_definitions(*tables) == before
    # statistics for the rows just loaded, even inside the test's transaction: the planner's row
    # estimate is the real size, not the "empty table" a VACUUM of earlier rolled-back rows records
    if before is not None:
        from core.counts import estimated_rows

        assert [q for q in ctx.captured_queries if q["sql"].upper().startswith("ANALYZE")]
        assert 0.5 * Complaint.objects.count() <= estimated_rows(Complaint.objects.all()) <= 2 * Complaint.objects.count()
    if before is not None:
        assert any(row[0] == "case_open_deadline" and row[2] for row in before)
    # the indexes serve queries again: the partial overdue index is a real, valid index
    assert Case.objects.filter(state="rectifying", deadline__isnull=False).exists()


def test_a_failed_load_rolls_the_indexes_back(tiny, monkeypatch):
    from django.db import transaction

    tables = [Case._meta.db_table, Complaint._meta.db_table]
    before = _index_definitions(*tables)

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(scale_module, "_load_cases", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        call_command("generate_scale_data", "--scale", "county", verbosity=0)
    assert _index_definitions(*tables) == before
