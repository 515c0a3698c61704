"""The ledger's core loop in a real browser: a community officer verifies a case as 属实 with a
plan, uploads evidence and requests closure; a county user closes it; the timeline shows all three."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from rectification.models import Case, CaseState
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import PNG, CaseFactory

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def open_transition(page, name):
    page.locator(f"[data-testid=transition-{name}] summary").click()
    return page.locator(f"[data-testid=transition-{name}] form")


def test_verify_request_closure_and_close(browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    tree = make_tree()
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    community = UserFactory(username="community-b", role=Role.COMMUNITY, region=tree["xiuyang"])
    county = UserFactory(username="county-b", role=Role.COUNTY_GROUP, region=tree["county"])
    for user in (community, county):
        user.set_password(PASSWORD)
        user.save()
    case = CaseFactory(estate=estate, state=CaseState.VERIFYING, description="电梯长期停运")
    photo = tmp_path / "整改后照片.png"
    photo.write_bytes(PNG)

    # the community officer, on a phone
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.base_url = live_server.url
    browser_login(page, "community-b", PASSWORD)
    page.goto(f"{live_server.url}/rectification/cases/{case.pk}/")
    form = open_transition(page, "confirm")
    form.locator("select[name=verification_result]").select_option("true")
    form.locator("textarea[name=verification_note]").fill("现场核实电梯停运属实")
    form.locator("textarea[name=measures]").fill("更换主板，恢复运行")
    form.locator("input[name=responsible_unit]").fill("海阳物业")
    form.locator("input[name=responsible_person]").fill("王经理")
    form.locator("input[name=deadline]").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=case-state]").inner_text() == "整改中"

    form = open_transition(page, "request_closure")
    form.locator("textarea[name=note]").fill("已更换主板，电梯恢复运行")
    form.locator("input[name=files]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=case-state]").inner_text() == "待销号"
    screenshot(page, "case-request-closure-phone")
    context.close()

    # the county working group closes it
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = live_server.url
    browser_login(page, "county-b", PASSWORD)
    page.goto(f"{live_server.url}/rectification/cases/{case.pk}/")
    form = open_transition(page, "close")
    form.locator("textarea[name=note]").fill("经复核整改到位，予以销号。")
    # 销号 asks for a confirmation first: dismissed, nothing happens; accepted, the case is closed
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    form.locator("button[type=submit]").click()
    assert "确认销号" in asked[0]
    assert page.locator("[data-testid=case-state]").inner_text() != "已销号"
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=case-state]").inner_text() == "已销号"

    timeline = page.locator("[data-testid=timeline-event]").all_inner_texts()
    text = "\n".join(timeline)
    assert "核查属实" in text and "申请销号" in text and "销号" in text
    assert "整改后照片.png" in text and "经复核整改到位，予以销号。" in text
    screenshot(page, "case-closed-timeline")
    context.close()

    case = Case.objects.get(pk=case.pk)
    assert case.state == CaseState.CLOSED and case.closed_at is not None
    assert case.events.filter(to_state=CaseState.CLOSED, actor=county).count() == 1
