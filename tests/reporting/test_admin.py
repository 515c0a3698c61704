"""The duties in the admin: a county edits its own rows, not the plans' general ones."""

import pytest

from reporting.models import ReportingDuty
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_county_copies_a_duty_and_edits_its_own(client, county_user, tree):
    county_user.is_staff = True
    county_user.is_superuser = False
    county_user.save()
    from django.contrib.auth.models import Permission

    county_user.user_permissions.set(Permission.objects.filter(content_type__app_label="reporting"))
    login(client, county_user)
    general = ReportingDuty.objects.get(code="county-monthly", region__isnull=True)
    own = ReportingDuty.objects.create(code="county-monthly", name="本县月报", region=tree["county"], reporter="county",
                                       receiver="city_bureau", due_day=28, report_kind="county_monthly")
    other = ReportingDuty.objects.create(code="county-monthly", name="屯溪区月报", region=tree["district"],
                                         reporter="county", receiver="city_bureau", due_day=29)
    listing = client.get("/admin/reporting/reportingduty/").content.decode()
    assert "本县月报" in listing and "屯溪区月报" not in listing
    assert client.get(f"/admin/reporting/reportingduty/{own.pk}/change/").status_code == 200
    response = client.post(f"/admin/reporting/reportingduty/{general.pk}/change/", {"due_day": 1})
    assert response.status_code == 403
    assert client.get(f"/admin/reporting/reportingduty/{other.pk}/change/").status_code in (302, 404)
