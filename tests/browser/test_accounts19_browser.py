"""The county's new pages at 1280 px and 390 px (no horizontal overflow): the estate register
import with an error row, the user list, a new user, the password change."""

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.enterprises.test_registers import wps_register
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def _no_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{page.url} overflows by {width}px"


@pytest.mark.parametrize("width", [1280, 390])
def test_county_pages(browser, live_server, tmp_path, settings, width):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cache.clear()
    tree = make_tree()
    EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业公司"))
    county = UserFactory(username="county-b", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()
    UserFactory(username="town-b", first_name="张三", role=Role.TOWN, region=tree["haiyang"])
    register = tmp_path / "小区名册.xlsx"
    register.write_bytes(wps_register(
        [1, "海阳镇", "秀阳社区", "新安小区", "海阳物业公司", "物业企业", 1200, "45000.5", 4, "已成立", "2025/1/1", None],
        [2, "海阳镇", "秀阳社区", "坏小区", "无此公司", "物业企业", "很多", None, 0, "未成立", None, None],
    ))
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 576)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        browser_login(page, "county-b", PASSWORD)
        page.goto(page.base_url + "/enterprises/estates/import/")
        page.set_input_files("input[name=file]", str(register))
        page.click("form[enctype] button.btn-primary")
        assert "错误 1" in page.locator("[data-testid=import-summary]").inner_text()
        screenshot(page, f"estate-import-preview-{width}")
        _no_overflow(page)
        page.click("[data-testid=import-confirm]")
        assert "新增 1 个小区" in page.content()

        page.goto(page.base_url + "/accounts/users/")
        assert "town-b" in page.locator("[data-testid=user-list]").inner_text()
        screenshot(page, f"user-list-{width}")
        _no_overflow(page)
        page.goto(page.base_url + "/accounts/users/new/")
        screenshot(page, f"user-new-{width}")
        _no_overflow(page)
        page.goto(page.base_url + "/accounts/password/change/")
        screenshot(page, f"password-change-{width}")
        _no_overflow(page)
    finally:
        context.close()
