"""The red/black list in a real browser: the county working group opens an evaluation, accepts a
black proposal with a written reason, publishes it; the public list page (no login) shows it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from enterprises.models import ListEntry
from rectification.services import supervision_record
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import rectifying_case

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_evaluate_accept_black_publish_and_public_list(browser, live_server):
    tree = make_tree()
    bad = EnterpriseFactory(name="休宁县失信物业服务有限公司", registered_region=tree["county"])
    good = EnterpriseFactory(name="休宁县诚信物业服务有限公司", registered_region=tree["county"])
    EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=bad)
    EstateFactory(name="万安苑", community=tree["wanan_community"], enterprise=good)
    county = UserFactory(username="county-credit", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()
    case = rectifying_case(bad.estates.get())
    supervision_record(case_id=case.pk, user=county, kind="penalty", decision_number="休住建罚〔2025〕3号",
                       amount=Decimal("5000"), basis="《物业管理条例》第六十三条")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "county-credit", PASSWORD)
    page.goto(f"{live_server.url}/enterprises/evaluations/")
    page.locator("[data-testid=evaluation-open] summary").click()
    today = timezone.localdate()
    page.fill("#id_period_start", (today - timedelta(days=90)).isoformat())
    page.fill("#id_period_end", today.isoformat())
    page.get_by_role("button", name="发起评定并生成建议").click()
    assert page.locator("[data-testid=evaluation-status]").inner_text() == "评定中"

    black = page.locator(f"[data-testid='proposal-{bad.name}']")
    assert "黑榜" in black.inner_text() and "受到行政处罚 1 次" in black.inner_text()
    black.locator("select[name=decision]").select_option("accepted")
    black.locator("input[name=reason]").fill("经县专班会议研究，同意列入黑榜。")
    black.get_by_role("button", name="提交").click()
    black = page.locator(f"[data-testid='proposal-{bad.name}']")
    assert "采纳 → 黑榜" in black.locator("[data-testid=decision]").inner_text()

    red = page.locator(f"[data-testid='proposal-{good.name}']")
    red.locator("select[name=decision]").select_option("accepted")
    red.locator("input[name=reason]").fill("服务规范，无不良记录。")
    red.get_by_role("button", name="提交").click()
    screenshot(page, "credit-evaluation-decided")

    page.fill("#id_decision_number", "休整治办〔2025〕8号")
    page.fill("#id_valid_until", (today + timedelta(days=365)).isoformat())
    page.fill("#id_basis", "《休宁县物业服务企业红黑榜评定办法》")
    page.get_by_role("button", name="公布", exact=True).click()
    assert page.locator("[data-testid=evaluation-status]").inner_text() == "已公布"
    assert "经县专班会议研究" in page.locator("[data-testid=entry-table]").inner_text()
    context.close()

    # a resident, no login
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    public = context.new_page()
    public.goto(f"{live_server.url}/")
    public.locator("[data-testid=credit-list-link]").click()
    rows = public.locator("[data-testid=public-entry]").all_inner_texts()
    assert any(bad.name in r and "黑榜" in r and "休整治办〔2025〕8号" in r for r in rows)
    assert any(good.name in r and "红榜" in r for r in rows)
    screenshot(public, "credit-public-list")
    public.get_by_role("link", name=bad.name).click()
    assert "黑榜" in public.locator("[data-testid=list-status]").inner_text()
    assert "行政处罚" in public.content()
    screenshot(public, "credit-public-enterprise")
    context.close()
    assert ListEntry.objects.filter(enterprise=bad, list_type="black").count() == 1
