"""Public revenue in a real browser: an enterprise user records an income entry with a voucher
and the quarter's disclosure with a photo of the notice; the owners' public page (no login)
then shows the disclosed figures, with the account number masked."""

import pytest
from django.utils import timezone

from accounts.models import Role
from public_revenue import services
from public_revenue.models import Disclosure, RevenueEntry
from public_revenue.periods import last_complete_period, period_label
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import PNG

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_enterprise_records_income_and_disclosure_and_the_public_page_shows_it(
    browser, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    user = UserFactory(username="enterprise-b", role=Role.ENTERPRISE, enterprise=enterprise)
    user.set_password(PASSWORD)
    user.save()
    services.account_record(
        user=user,
        estate_id=estate.pk,
        has_account=True,
        bank="休宁农商银行",
        account_name="海阳花园业委会",
        account_number="6228480012345678",
        holder="owners_committee",
    )
    start, end = last_complete_period(timezone.localdate(), 3)
    voucher = tmp_path / "收款凭证.png"
    voucher.write_bytes(PNG)
    photo = tmp_path / "公示照片.png"
    photo.write_bytes(PNG)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "enterprise-b", PASSWORD)
    page.goto(f"{live_server.url}/revenue/estates/{estate.pk}/")
    page.click("[data-testid=add-entry]")
    form = page.locator("[data-testid=revenue-form]")
    form.locator("select[name=direction]").select_option("income")
    form.locator("select[name=kind]").select_option("elevator_ad")
    form.locator("input[name=occurred_on]").fill(start.replace(day=15).isoformat())
    form.locator("input[name=amount]").fill("12,000.50")
    form.locator("input[name=counterparty]").fill("黄山新潮传媒有限公司")
    form.locator("input[name=voucher]").set_input_files(str(voucher))
    screenshot(page, "revenue-entry-form")
    form.locator("button[type=submit]").click()
    assert "收支已登记" in page.content()
    assert "12,000.50" in page.locator("[data-testid=entries]").inner_text()  # money with separators

    page.click("[data-testid=add-disclosure]")
    form = page.locator("[data-testid=revenue-form]")
    form.locator("select[name=period_start]").select_option(start.isoformat())
    form.locator("input[name=posted_location]").fill("小区东门公告栏")
    form.locator("input[name=posted_on_platform]").check()
    form.locator("input[name=photo]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    assert "公示已登记" in page.content(), page.locator("main").inner_text()
    assert period_label(start, end) in page.locator("[data-testid=disclosures]").inner_text()
    screenshot(page, "revenue-ledger-enterprise")
    page.goto(f"{live_server.url}/revenue/")
    assert page.locator("[data-testid=coverage-total]").inner_text() == "100.0%"
    assert "12,000.50" in page.locator("[data-testid=revenue-estates]").inner_text()
    screenshot(page, "revenue-overview-enterprise")
    context.close()

    # an owner scans the estate's QR code: no login
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/revenue/public/estates/{estate.pk}/")
    disclosure = page.locator("[data-testid=public-disclosure]").first
    assert period_label(start, end) in disclosure.inner_text()
    assert disclosure.locator("[data-testid=disclosure-income]").inner_text() == "12,000.50"
    assert page.locator("img[alt$=公示现场照片]").evaluate("img => img.naturalWidth") == 1
    html = page.content()
    assert "6228480012345678" not in html and "**** **** 5678" in html
    assert "enterprise-b" not in html
    screenshot(page, "revenue-public-estate-phone")
    context.close()

    entry = RevenueEntry.objects.get()
    assert str(entry.amount) == "12000.50" and entry.voucher_content_type == "image/png"
    assert Disclosure.objects.get().income_total == entry.amount
