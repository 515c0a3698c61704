"""Help per role (帮助), linked from every staff page; the public home page speaks to residents;
the favicon."""

import pytest
from django.contrib.staticfiles import finders

from accounts.roles import Role
from portal.helptext import HELP
from tests.conftest import login

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = ["county_user", "office_user", "town_user", "community_user", "city_user", "discipline_user",
                 "enterprise_user"]


def test_every_role_has_its_help(request):
    assert set(HELP) == set(Role.values)
    for role, entry in HELP.items():
        assert entry.role == role and entry.daily and entry.monthly and entry.summary


@pytest.mark.parametrize("fixture", ROLE_FIXTURES)
def test_the_help_page_shows_the_users_own_role_first_and_is_in_the_navbar(client, request, fixture, estates):
    user = request.getfixturevalue(fixture)
    login(client, user)
    home = client.get("/accounts/home/").content.decode()
    assert 'href="/help/" data-testid="nav-help">帮助</a>' in home
    response = client.get("/help/")
    assert response.status_code == 200
    body = response.content.decode()
    own = HELP[user.role]
    assert f"帮助：{own.label}每天、每月做什么" in body
    assert body.index(f'data-testid="help-{user.role}"') < body.index("其他角色做什么")
    assert own.daily[0] in body and own.monthly[0] in body
    assert "待销号" in body and "挂牌督办" in body  # the terms


def test_the_monthly_cadence_is_the_plans(client):
    assert any("27 日前" in line for line in HELP[Role.TOWN].monthly)
    assert any("27 日前" in line for line in HELP[Role.COMMUNITY].monthly)
    assert any("30 日前" in line for line in HELP[Role.COUNTY_GROUP].monthly)
    assert any("20 日前" in line for line in HELP[Role.ENTERPRISE].monthly)


def test_help_needs_a_login(client):
    assert client.get("/help/").status_code == 302


def test_the_public_home_page_speaks_to_residents(client):
    body = client.get("/").content.decode()
    assert "模块提供" not in body and "投诉受理”模块" not in body
    assert "查询码" in body and 'data-testid="public-howto"' in body


def test_a_favicon_is_linked_and_served(client):
    body = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in body
    assert finders.find("favicon.ico")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/favicon.ico"
