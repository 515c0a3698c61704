import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD


@pytest.mark.django_db
class TestLogin:
    def test_it_works(self, client, town_user):
        response = client.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/home/"
        assert client.get("/accounts/home/").status_code == 200

    def test_wrong_password_is_explained_in_chinese(self, client, town_user):
        response = client.post("/accounts/login/", {"username": town_user.username, "password": "wrong"})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()

    def test_lockout_after_five_failures(self, client, town_user):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": town_user.username, "password": "wrong"})
        response = client.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD})
        assert response.status_code == 429
        assert "账号已暂时锁定" in response.content.decode()

    def test_login_form_has_csrf(self, client, db):
        assert "csrfmiddlewaretoken" in client.get("/accounts/login/").content.decode()

    def test_csrf_is_enforced(self, town_user):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD})
        assert response.status_code == 403

    def test_logout(self, client, town_user):
        client.post("/accounts/login/", {"username": town_user.username, "password": PASSWORD})
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/accounts/home/").status_code == 302


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_password_validators_speak_chinese():
    with pytest.raises(ValidationError) as info:
        validate_password("12345678")
    assert any("密码" in m for m in info.value.messages)


@pytest.mark.django_db
class TestTokenApi:
    def test_it_works(self, api_client, town_user, estates):
        response = api_client.post("/api/v1/auth/token/", {"username": town_user.username, "password": PASSWORD})
        assert response.status_code == 200
        token = response.json()["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get("/api/v1/estates/").json()["count"] == 2

    def test_wrong_password(self, api_client, town_user):
        response = api_client.post("/api/v1/auth/token/", {"username": town_user.username, "password": "nope"})
        assert response.status_code == 400
        assert response.json()["detail"] == "用户名或密码错误。"

    def test_missing_fields(self, api_client, db):
        response = api_client.post("/api/v1/auth/token/", {}, format="json")
        assert response.status_code == 400
        assert response.json()["username"] == ["请填写用户名。"]

    def test_malformed_json(self, api_client, db):
        response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
        assert response.status_code == 400
        assert "无法解析" in response.json()["detail"]

    def test_lockout_applies_to_api(self, api_client, town_user):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            api_client.post("/api/v1/auth/token/", {"username": town_user.username, "password": "nope"})
        response = api_client.post("/api/v1/auth/token/", {"username": town_user.username, "password": PASSWORD})
        assert response.status_code == 429
        assert "锁定" in response.json()["detail"]

    def test_bad_token(self, api_client, db):
        api_client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
        response = api_client.get("/api/v1/estates/")
        assert response.status_code == 401
        assert "令牌" in response.json()["detail"]
