"""An owners' vote in a real browser on a phone: the owner opens the notice's link, votes, changes
the vote; a community officer enters a paper ballot for another unit; the vote closes and the
estate's public page shows the result (counts only)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import PNG
from votes import services
from votes.models import Ballot, Vote
from votes.rules import MatterKind

from .conftest import CHROMIUM_ARGS, browser_login, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_owner_votes_on_a_phone_staff_enter_paper_and_the_public_page_shows_the_result(browser, live_server, tmp_path):
    tree = make_tree()
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    staff = UserFactory(username="community-b", role=Role.COMMUNITY, region=tree["xiuyang"])
    staff.set_password(PASSWORD)
    staff.save()
    for unit in ("1-101", "1-102", "1-201"):
        services.owner_unit_record(user=staff, estate_id=estate.pk, unit=unit, owner_names="张三", area=Decimal("100"))
    vote = services.vote_create(user=staff, estate_id=estate.pk, title="关于解聘物业服务企业的业主共同决定",
                                closes_at=timezone.now() + timedelta(days=7))
    services.matter_add(user=staff, vote_id=vote.pk, kind=MatterKind.DISMISS, title="是否解聘海阳物业",
                        new_manager_name="业主委员会")
    services.vote_open(user=staff, vote_id=vote.pk)
    codes = {i.unit.unit: i.code for i in services.ballot_codes_issue(user=staff, vote_id=vote.pk)}
    photo = tmp_path / "表决票.png"
    photo.write_bytes(PNG)

    # the owner, on a phone, opens the link printed on the notice
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/votes/b/")
    screenshot(page, "votes-code-phone")
    page.goto(f"{live_server.url}/votes/b/?c={codes['1-101']}")  # the link opens the ballot at once
    assert page.locator("[data-testid=ballot-unit]").inner_text() == "1-101"
    yes = page.locator("[data-testid=choice-yes]")
    box = yes.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300  # a big button for a thumb
    screenshot(page, "votes-ballot-phone")
    yes.click()
    page.click("[data-testid=ballot-submit]")
    assert "已保存" in page.locator("[data-testid=ballot-saved]").inner_text()
    # changes the vote
    page.locator("[data-testid=choice-no]").click()
    page.click("[data-testid=ballot-submit]")
    page.locator("[data-testid=ballot-saved]").wait_for()
    screenshot(page, "votes-ballot-phone-saved")
    ballot = Ballot.objects.get(vote=vote)
    assert ballot.changes == 1 and ballot.choices.get().choice == "no"
    # the owner of 1-102 votes yes
    page.goto(f"{live_server.url}/votes/b/")
    page.fill("input[name=code]", codes["1-102"])
    page.click("text=开始投票")
    page.locator("[data-testid=choice-yes]").click()
    page.click("[data-testid=ballot-submit]")
    page.locator("[data-testid=ballot-saved]").wait_for()
    phone.close()

    # the community officer enters 1-201's paper ballot and closes the vote
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    browser_login(page, "community-b", PASSWORD)
    page.goto(f"{live_server.url}/votes/{vote.pk}/")
    page.click("[data-testid=paper-enter]")
    page.select_option("select[name=unit]", label="1-201（100.00㎡）")
    page.check("input[value=yes]")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("[data-testid=paper-form] button[type=submit]")
    page.wait_for_url(f"**/votes/{vote.pk}/")
    assert "纸质表决票已录入" in page.content()
    assert "同意" not in page.locator("[data-testid=unit-list]").inner_text()
    screenshot(page, "votes-detail-open")
    page.click("[data-testid=vote-close]")
    page.locator("[data-testid=result-hash]").wait_for()
    assert page.locator("[data-testid=vote-status]").inner_text() == "已结束"
    assert page.locator("[data-testid=matter-result]").inner_text() == "通过"
    screenshot(page, "votes-detail-closed")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "votes-detail-closed-phone")
    page.goto(f"{live_server.url}/votes/")
    screenshot(page, "votes-list-phone")
    page.goto(f"{live_server.url}/votes/estates/{estate.pk}/owners/")
    screenshot(page, "votes-owners-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "votes-owners")
    desk.close()

    # the public page: counts only, no unit numbers, no names
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = public.new_page()
    page.goto(f"{live_server.url}/votes/public/estates/{estate.pk}/")
    assert page.locator("[data-testid=public-result]").inner_text() == "通过"
    text = page.locator("main").inner_text()
    assert "200.00㎡ / 2户" in text and "1-101" not in text and "张三" not in text
    screenshot(page, "votes-public-phone")
    public.close()
    assert Vote.objects.get(pk=vote.pk).result_hash
