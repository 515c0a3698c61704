import pytest

from tests.conftest import login

ROLE_FIXTURES = [
    "county_user", "office_user", "town_user", "other_town_user", "community_user", "city_user",
    "discipline_user", "enterprise_user",
]


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ROLE_FIXTURES)
def test_every_role_has_a_home_page(client, request, fixture, estates):
    user = request.getfixturevalue(fixture)
    response = login(client, user).get("/accounts/home/")
    assert response.status_code == 200
    body = response.content.decode()
    assert user.get_role_display() in body
    assert "工作台" in body


@pytest.mark.django_db
def test_home_figures_are_scoped(client, town_user, estates):
    response = login(client, town_user).get("/accounts/home/")
    figures = {label: value for label, value, _ in response.context["figures"]}
    assert figures["住宅小区"] == 2


@pytest.mark.django_db
def test_read_only_roles_are_told(client, city_user, estates):
    body = login(client, city_user).get("/accounts/home/").content.decode()
    assert "只读账号" in body
