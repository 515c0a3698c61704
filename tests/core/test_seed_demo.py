import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import Role, User
from communities.models import Estate, Region
from enterprises.models import Enterprise
from enterprises.validators import credit_code_problem


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_county(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo-town" in out and "Demo@2025" in out
    county = Region.objects.get(code="341022")
    assert county.name == "休宁县"
    towns = set(county.children.values_list("name", flat=True))
    assert {"海阳镇", "万安镇", "东临溪镇"} <= towns
    county_estates = Estate.objects.filter(community__path__startswith=county.path)
    assert 55 <= county_estates.count() <= 65
    enterprises = Enterprise.objects.all()
    assert 12 <= enterprises.count() <= 20
    assert all(credit_code_problem(e.credit_code) is None for e in enterprises)
    for username in ["demo-county", "demo-office", "demo-town", "demo-community", "demo-enterprise", "demo-city", "demo-discipline"]:
        assert authenticate(RequestFactory().post("/"), username=username, password="Demo@2025") is not None, username
    town_user = User.objects.get(username="demo-town")
    assert (town_user.role, town_user.region.name) == (Role.TOWN, "海阳镇")
    assert set(Estate.objects.visible_to(town_user).values_list("community__parent__name", flat=True)) == {"海阳镇"}


@pytest.mark.django_db
def test_seed_demo_runs_only_once(capsys):
    call_command("seed_demo")
    count = Estate.objects.count()
    call_command("seed_demo")
    assert Estate.objects.count() == count
    assert "演示数据已存在" in capsys.readouterr().out
