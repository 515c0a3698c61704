"""The foundation through a real browser: a town officer logs in and sees only its own estates."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_town_officer_sees_only_its_town_estates(page):
    call_command("seed_demo", verbosity=0)
    browser_login(page, "demo-town", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/home/**")
    page.goto(page.base_url + "/communities/estates/")
    towns = page.locator("[data-testid=estate-town]").all_inner_texts()
    assert towns, "镇街工作人员应能看到本镇小区"
    assert set(towns) == {"海阳镇"}
    screenshot(page, "estate-list-town")


def test_wrong_password_shows_a_chinese_message(page):
    call_command("seed_demo", verbosity=0)
    browser_login(page, "demo-town", "wrong-password")
    error = page.locator("[data-testid=login-error]")
    assert "用户名或密码" in error.inner_text()
