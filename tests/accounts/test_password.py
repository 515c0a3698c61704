"""Own password change, the county's reset with a one-time password, the forced change."""

import pytest
from django.test import Client

from accounts.models import UserEvent, UserEventKind
from tests.conftest import PASSWORD

NEW = "Qingshui-Lake-2026"


def real_login(client, username, password):
    """Through the login page (axes and the backends), as a person would."""
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
class TestPasswordChange:
    def test_town_officer_changes_password_and_logs_in_with_the_new_one(self, client, town_user):
        assert real_login(client, "town-haiyang", PASSWORD).status_code == 302
        home = client.get("/accounts/home/").content.decode()
        assert "/accounts/password/change/" in home  # linked from the navbar
        other_device = Client()
        real_login(other_device, "town-haiyang", PASSWORD)
        assert other_device.get("/accounts/home/").status_code == 200

        response = client.post("/accounts/password/change/", {
            "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
        assert response.status_code == 302
        assert client.get("/accounts/home/").status_code == 200  # this session is kept
        assert other_device.get("/accounts/home/").status_code == 302  # the others end
        assert UserEvent.objects.filter(user=town_user, kind=UserEventKind.PASSWORD_CHANGED).count() == 1

        client.post("/accounts/logout/")
        assert real_login(Client(), "town-haiyang", PASSWORD).status_code == 200  # old one refused
        fresh = Client()
        assert real_login(fresh, "town-haiyang", NEW).status_code == 302
        assert fresh.get("/accounts/home/").status_code == 200

    @pytest.mark.parametrize(("new", "message"), [
        ("Ab1x", "密码太短"),
        ("12345678901", "全是数字"),
        ("town-haiyang1", "相似"),
        ("password123", "常见"),
    ])
    def test_password_rules_in_chinese(self, client, town_user, new, message):
        real_login(client, "town-haiyang", PASSWORD)
        response = client.post("/accounts/password/change/", {
            "old_password": PASSWORD, "new_password1": new, "new_password2": new})
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_wrong_current_password(self, client, town_user):
        real_login(client, "town-haiyang", PASSWORD)
        response = client.post("/accounts/password/change/", {
            "old_password": "nope", "new_password1": NEW, "new_password2": NEW})
        assert response.status_code == 400 and "当前密码不正确" in response.content.decode()


@pytest.mark.django_db
class TestResetAndForcedChange:
    def test_reset_by_county_then_forced_change_at_next_login(self, client, county_user, town_user):
        officer = Client()
        real_login(officer, "town-haiyang", PASSWORD)

        real_login(client, "county", PASSWORD)
        response = client.post(f"/accounts/users/{town_user.pk}/reset-password/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        password = response.context["password"]
        assert password in response.content.decode()
        assert officer.get("/accounts/home/").status_code == 302  # the old password's session ended
        assert UserEvent.objects.filter(user=town_user, kind=UserEventKind.PASSWORD_RESET, actor=county_user).exists()

        assert real_login(Client(), "town-haiyang", PASSWORD).status_code == 200  # old password refused
        fresh = Client()
        assert real_login(fresh, "town-haiyang", password).status_code == 302
        forced = fresh.get("/rectification/")
        assert forced.status_code == 302 and forced["Location"].startswith("/accounts/password/change/")
        assert "请先设置自己的新密码" in fresh.get("/accounts/password/change/").content.decode() \
            or "初始密码" in fresh.get("/accounts/password/change/").content.decode()
        assert fresh.get("/api/v1/").status_code in (403, 401)
        fresh.post("/accounts/password/change/", {"old_password": password, "new_password1": NEW, "new_password2": NEW})
        town_user.refresh_from_db()
        assert not town_user.must_change_password
        assert fresh.get("/rectification/").status_code == 200

    def test_county_cannot_reset_a_user_of_another_county_or_its_peer(self, client, county_user, office_user, tree):
        from tests.factories import UserFactory  # only this test needs another county's officer

        other = UserFactory(username="tunxi-town", role="town", region=tree["yuzhong"])
        real_login(client, "county", PASSWORD)
        assert client.post(f"/accounts/users/{other.pk}/reset-password/").status_code == 404
        assert client.post(f"/accounts/users/{office_user.pk}/reset-password/").status_code == 404


@pytest.mark.django_db
def test_no_api_token_for_a_one_time_password(api_client, county_user, town_user):
    from accounts.services import user_password_reset  # the reset the county's page calls

    _user, password = user_password_reset(actor=county_user, user_id=town_user.pk)
    response = api_client.post("/api/v1/auth/token/", {"username": "town-haiyang", "password": password})
    assert response.status_code == 403 and "修改初始密码" in response.json()["detail"]
