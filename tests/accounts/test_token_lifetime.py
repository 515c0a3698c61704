"""API tokens expire after API_TOKEN_TTL_DAYS, are replaced when obtained after that, and can be
revoked by their owner."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def obtain(api_client, user):
    response = api_client.post(URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    return response.json()


def estates_with(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get("/api/v1/estates/")


def test_a_token_works_until_its_lifetime_ends(api_client, town_user, estates):
    issued = timezone.now()
    body = obtain(api_client, town_user)
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs(datetime.fromisoformat(body["expires_at"]) - (issued + ttl)) < timedelta(minutes=1)

    with time_machine.travel(issued + ttl - timedelta(hours=1)):
        assert estates_with(api_client, body["token"]).status_code == 200
    with time_machine.travel(issued + ttl + timedelta(hours=1)):
        response = estates_with(api_client, body["token"])
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新获取。"
    assert response["WWW-Authenticate"] == "Token"


def test_the_lifetime_is_the_setting(api_client, town_user, estates, settings):
    settings.API_TOKEN_TTL_DAYS = 2
    key = obtain(api_client, town_user)["token"]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert estates_with(api_client, key).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert estates_with(api_client, key).status_code == 401


def test_obtaining_again_gives_the_same_token_until_it_expires_then_a_new_one(api_client, town_user, estates):
    first = obtain(api_client, town_user)["token"]
    assert obtain(api_client, town_user)["token"] == first

    with time_machine.travel(timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS + 1)):
        renewed = obtain(api_client, town_user)
        assert renewed["token"] != first
        assert estates_with(api_client, renewed["token"]).status_code == 200
        assert estates_with(api_client, first).status_code == 401
    assert Token.objects.filter(user=town_user).count() == 1


def test_an_expired_token_in_the_header_does_not_block_obtaining_a_new_one(api_client, town_user):
    key = obtain(api_client, town_user)["token"]
    with time_machine.travel(timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS + 1)):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert obtain(api_client, town_user)["token"] != key


def test_the_owner_revokes_the_token(api_client, town_user, estates):
    key = obtain(api_client, town_user)["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.delete(URL).status_code == 204

    assert not Token.objects.filter(user=town_user).exists()
    response = estates_with(api_client, key)
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]
    assert api_client.delete(URL).status_code == 401  # the revoked token revokes nothing more


def test_a_read_only_role_may_revoke_its_own_token(api_client, city_user, town_user):
    town_key = obtain(api_client, town_user)["token"]
    city_key = obtain(api_client, city_user)["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {city_key}")
    assert api_client.delete(URL).status_code == 204
    assert list(Token.objects.values_list("key", flat=True)) == [town_key]


def test_a_logged_in_user_revokes_the_token_from_the_browser(client, town_user):
    Token.objects.create(user=town_user)
    login(client, town_user)
    assert client.delete(URL).status_code == 204
    assert not Token.objects.filter(user=town_user).exists()


def test_revoking_needs_credentials(api_client, town_user):
    Token.objects.create(user=town_user)
    response = api_client.delete(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert Token.objects.filter(user=town_user).exists()


def test_a_client_without_credentials_is_asked_for_a_token(api_client, db):
    response = api_client.get("/api/v1/estates/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
