import pytest
from django.core.management import call_command
from django.db.models import Q

from inspections import selectors
from inspections.models import InspectionRound, SpotCheckDraw, Visit, VisitLine
from rectification.models import Case


@pytest.mark.django_db
def test_seed_demo_builds_rounds_visits_cases_and_a_spot_check(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    rounds = {r.status_label: r for r in InspectionRound.objects.all()}
    assert set(rounds) == {"已结束", "进行中"}
    from accounts.models import User

    county = User.objects.get(username="demo-county")
    finished = selectors.round_coverage(round=rounds["已结束"], user=county)
    running = selectors.round_coverage(round=rounds["进行中"], user=county)
    assert 90 <= finished["percent"] < 100 and finished["missing_count"] == 3
    assert 30 <= running["percent"] <= 70
    assert len({t["name"] for t in running["towns"] if t["inspected"]}) >= 3, "visits across several towns"
    failed = VisitLine.objects.filter(result="fail", visit__status="submitted")
    assert failed.exists() and not failed.filter(case__isnull=True).exists()
    assert Case.objects.filter(Q(source="inspection") | Q(source="self_check") | Q(source="spot_check")).exists()
    assert Visit.objects.filter(status="draft").exists() and Visit.objects.filter(kind="self_check").exists()
    draw = SpotCheckDraw.objects.get()
    assert draw.seed == 20260301 and draw.candidates.filter(position__isnull=False).count() == 5
    assert draw.visits.filter(status="submitted").count() == 2
