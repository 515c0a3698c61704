"""Search by phone number: only for the roles that see numbers in full (a masked number would
otherwise be found by trying its 10,000 middle digits), throttled per user, and logged with the
number's keyed hash."""

import logging

import pytest

from complaints import privacy
from tests.conftest import login

from .factories import complaint

pytestmark = pytest.mark.django_db

FULL = "15012344488"
REFUSED = "您看到的联系电话为脱敏显示，不能按来电号码查询投诉。"


@pytest.fixture
def filed(estates):
    return complaint(estates["haiyang_1"], phone=FULL)


@pytest.mark.parametrize("role_fixture", ["enterprise_user", "city_user", "discipline_user"])
def test_roles_seeing_masked_numbers_cannot_search_by_number(client, api_client, filed, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/complaints/", {"phone": FULL})
    assert response.status_code == 403 and response.json()["detail"] == REFUSED
    login(client, user)
    for url in ("/complaints/", "/complaints/statistics/"):
        response = client.get(url, {"phone": FULL})
        assert response.status_code == 403 and REFUSED in response.content.decode()
        response = client.get(url, {"phone": FULL, "export": "xlsx"})
        assert response.status_code == 403
    # no number box in their filter form, and the list without it still works
    response = client.get("/complaints/")
    assert response.status_code == 200 and 'name="phone"' not in response.content.decode()
    assert api_client.get("/api/v1/complaints/", {"phone": ""}).status_code == 200


def test_handling_roles_search_by_number_and_see_the_box(client, api_client, filed, town_user):
    login(client, town_user)
    response = client.get("/complaints/")
    assert 'name="phone"' in response.content.decode()
    response = client.get("/complaints/", {"phone": FULL})
    assert [c.pk for c in response.context["page"]] == [filed.pk]
    api_client.force_authenticate(town_user)
    assert [r["id"] for r in api_client.get("/api/v1/complaints/", {"phone": FULL}).json()["results"]] == [filed.pk]


def test_search_by_number_is_throttled_per_user(client, api_client, settings, filed, town_user, county_user):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "phone_search": (3, 600)}
    api_client.force_authenticate(town_user)
    for i in range(3):
        assert api_client.get("/api/v1/complaints/", {"phone": f"1501234{i:04d}"}).status_code == 200
    response = api_client.get("/api/v1/complaints/", {"phone": FULL})
    assert response.status_code == 429
    assert response.json()["detail"] == "按来电号码查询过于频繁（10 分钟内最多 3 次），请稍后再试。"
    login(client, town_user)
    response = client.get("/complaints/", {"phone": FULL})
    assert response.status_code == 429 and "按来电号码查询过于频繁" in response.content.decode()
    # the list itself and another user's searches are not held back
    assert client.get("/complaints/").status_code == 200
    api_client.force_authenticate(county_user)
    assert api_client.get("/api/v1/complaints/", {"phone": FULL}).json()["count"] == 1


def test_the_default_limit_is_30_searches_in_10_minutes(settings):
    assert settings.COMPLAINTS_RATE_LIMITS["phone_search"] == (30, 600)


def test_each_search_is_logged_with_the_hash_never_the_number(api_client, filed, town_user, caplog):
    api_client.force_authenticate(town_user)
    with caplog.at_level(logging.INFO, logger="complaints.phone_search"):
        api_client.get("/api/v1/complaints/", {"phone": "150-1234-4488"})
    records = [r for r in caplog.records if r.name == "complaints.phone_search"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert f"user_id={town_user.pk}" in line and "username=town-haiyang" in line and "at=" in line
    assert privacy.phone_hash(FULL)[:16] in line
    assert FULL not in line and "4488" not in line


def test_the_logger_is_on_at_info_in_settings(settings):
    assert settings.LOGGING["loggers"]["complaints.phone_search"]["level"] == "INFO"
