"""seed_demo's reporting step: three months of town reports, one returned, one late town, and the
stored county workbooks."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from communities.models import Region
from reporting import periods
from reporting.models import EnterpriseReport, StoredReport, UnitReport
from reporting.selectors import enterprise_status_list, late_units

pytestmark = pytest.mark.django_db


def test_seed_demo_reporting(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo")
    county = Region.objects.get(code="341022")
    last = periods.period_containing("month", timezone.localdate()).previous()
    months = [last.previous().previous(), last.previous(), last]
    assert sorted(set(UnitReport.objects.values_list("period", flat=True))) == [m.key for m in months]
    assert UnitReport.objects.filter(status="returned").count() == 1
    late = late_units(county=county, period=last)
    assert len(late) == 2  # the returned town and the one that never reported
    assert all(r.unit.level == 4 for r in late)
    assert late_units(county=county, period=months[0]) == []
    stored = StoredReport.objects.offered().filter(region=county)
    assert sorted(stored.values_list("period", flat=True)) == [m.key for m in months]
    assert all(r.file and r.rows >= 0 for r in stored)
    # enterprises: last month the demo enterprise submitted, the others serving the county did not
    rows = enterprise_status_list(county=county, period=last)
    submitted = [r for r in rows if r.is_done]
    assert len(submitted) == 1 and submitted[0].enterprise.users.filter(username="demo-enterprise").exists()
    assert not submitted[0].submitted_late
    assert any(r.is_late for r in rows)
    assert EnterpriseReport.objects.count() == 1
