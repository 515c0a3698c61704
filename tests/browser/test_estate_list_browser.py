"""The foundation through a real browser: a town officer logs in and sees only its own estates."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role
from tests.factories import EstateFactory, UserFactory, make_tree

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
    user = UserFactory(username="town-officer", role=Role.TOWN, region=make_tree()["haiyang"])
    user.set_password(DEMO_PASSWORD)
    user.save()
    browser_login(page, "town-officer", "wrong-password")
    error = page.locator("[data-testid=login-error]")
    assert "用户名或密码" in error.inner_text()


def test_a_city_officer_picks_county_town_and_community_without_a_search_click(page):
    """A city holds thousands of towns: the county comes first; choosing it reloads the list with
    that county's towns, choosing a town with its communities."""
    tree = make_tree()
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    EstateFactory(name="横江苑", community=tree["wanan_community"])
    EstateFactory(name="老街府", community=tree["laojie"])
    user = UserFactory(username="city-officer", role=Role.CITY, region=tree["city"])
    user.set_password(DEMO_PASSWORD)
    user.save()
    browser_login(page, "city-officer", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/home/**")
    page.goto(page.base_url + "/communities/estates/")
    assert page.locator("select[name=town] option").all_inner_texts() == ["全部"]
    with page.expect_navigation():
        page.select_option("select[name=county]", label="黄山市 · 休宁县")
    assert f"county={tree['county'].pk}" in page.url
    assert page.locator("select[name=town] option").all_inner_texts() == ["全部", "海阳镇", "万安镇"]
    assert set(page.locator("[data-testid=estate-town]").all_inner_texts()) == {"海阳镇", "万安镇"}
    with page.expect_navigation():
        page.select_option("select[name=town]", label="海阳镇")
    assert page.locator("select[name=community] option").all_inner_texts() == ["全部", "秀阳社区", "城北社区"]
    assert set(page.locator("[data-testid=estate-town]").all_inner_texts()) == {"海阳镇"}
    # another county clears the town and the community chosen under the first
    with page.expect_navigation():
        page.select_option("select[name=county]", label="黄山市 · 屯溪区")
    assert "town=&" in page.url + "&" and page.locator("select[name=town]").input_value() == ""
    assert page.locator("[data-testid=estate-town]").all_inner_texts() == ["昱中街道"]
    screenshot(page, "estate-list-city-cascade")
