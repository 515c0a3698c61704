"""Estate registers in a real browser: an enterprise user enters a lift through the form; the town
officer returns it with a reason on a phone; the enterprise sees the reason. Screenshots of the
overview, the list and the detail at 1280 px and 390 px."""

from datetime import date

import pytest

from accounts.models import Role
from estate_registers import services
from estate_registers.models import Lift, ReviewStatus
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def _user(username, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_enterprise_enters_a_lift_and_the_town_returns_it_with_a_reason(browser, live_server, page, phone_page):
    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    _user("enterprise-b", role=Role.ENTERPRISE, enterprise=enterprise)
    town = _user("town-b", role=Role.TOWN, region=tree["haiyang"])
    services.lift_save(user=town, estate_id=estate.pk, registration_number="梯11黄00001", location="1栋1单元",
                       install_year=2006, maintenance_company="通达电梯", last_maintained_on=date(2025, 1, 1))

    browser_login(page, "enterprise-b", PASSWORD)
    page.goto(f"{live_server.url}/registers/lifts/new/?estate={estate.pk}")
    form = page.locator("[data-testid=register-form]")
    form.locator("input[name=registration_number]").fill("梯11黄00002")
    form.locator("input[name=location]").fill("2栋1单元")
    form.locator("input[name=install_year]").fill("2012")
    form.locator("input[name=maintenance_company]").fill("黄山市通达电梯工程有限公司")
    form.locator("input[name=last_maintained_on]").fill("2025-06-01")
    screenshot(page, "registers-lift-form-1280")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=status]")
    assert "待审核" in page.inner_text("[data-testid=status]")
    lift = Lift.objects.get(registration_number="梯11黄00002")

    browser_login(phone_page, "town-b", PASSWORD)
    phone_page.goto(f"{live_server.url}/registers/")
    screenshot(phone_page, "registers-overview-390")
    phone_page.goto(f"{live_server.url}/registers/lifts/")
    screenshot(phone_page, "registers-lifts-390")
    phone_page.goto(f"{live_server.url}/registers/lifts/{lift.pk}/")
    phone_page.fill("input[name=reason]", "使用登记证号与证书不一致")
    phone_page.click("button[value=return]")
    phone_page.wait_for_selector("text=已退回，填报单位将看到退回原因")
    screenshot(phone_page, "registers-lift-detail-390")
    lift.refresh_from_db()
    assert lift.status == ReviewStatus.RETURNED

    page.goto(f"{live_server.url}/registers/lifts/{lift.pk}/")
    assert "使用登记证号与证书不一致" in page.content()
    screenshot(page, "registers-lift-detail-1280")
    page.goto(f"{live_server.url}/registers/lifts/?due=maintenance")
    screenshot(page, "registers-lifts-1280")
    page.goto(f"{live_server.url}/registers/")
    screenshot(page, "registers-overview-1280")
