"""A resident files a complaint on a phone, a county officer finds it and records the reply, and
the resident rates the handling through the tracking page."""

import re

import pytest
from django.core.cache import cache

from accounts.models import Role
from complaints.models import Complaint
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import PNG

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def solve(question: str) -> str:
    a, op, b = re.match(r"(\d+) (加|减) (\d+)", question).groups()
    return str(int(a) + int(b) if op == "加" else int(a) - int(b))


def test_file_track_reply_and_rate_on_a_phone(browser, live_server, phone_page, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cache.clear()
    tree = make_tree()
    EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    EstateFactory(name="城北佳苑", community=tree["chengbei"], enterprise=EnterpriseFactory(name="城北物业"))
    county = UserFactory(username="county-c", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()
    photo = tmp_path / "楼道.png"
    photo.write_bytes(PNG)

    # the resident, on a phone, from the public home page
    page = phone_page
    page.goto(page.base_url + "/")
    page.click("[data-testid=complaint-link]")
    page.fill("input[name=q]", "海阳")
    page.click("[data-testid=estate-search] button[type=submit]")
    form = page.locator("[data-testid=complaint-form]")
    form.locator("select[name=estate]").select_option(label="海阳花园（海阳镇 秀阳社区）")
    form.locator("select[name=category]").select_option(label="物业服务履约不到位 · 未按照合同约定提供服务")
    form.locator("textarea[name=description]").fill("楼道垃圾一周没人清理，气味很大")
    form.locator("input[name=photos]").set_input_files(str(photo))
    form.locator("input[name=name]").fill("李女士")
    form.locator("input[name=phone]").fill("13812341234")
    form.locator("input[name=captcha]").fill(solve(page.locator("[data-testid=captcha-question]").inner_text()))
    screenshot(page, "complaint-form-phone")
    # Enter in the last box sends the complaint (the form's first button is 查找, which it must not press)
    form.locator("input[name=captcha]").press("Enter")
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    screenshot(page, "complaint-done-phone")
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.case is not None and complaint.attachments.count() == 1

    # the county working group finds it and records the reply
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff = context.new_page()
    staff.base_url = live_server.url
    browser_login(staff, "county-c", PASSWORD)
    staff.goto(f"{live_server.url}/complaints/?q={code}")
    rows = staff.locator("[data-testid=complaint-row]")
    assert rows.count() == 1 and "13812341234" in rows.first.inner_text()
    screenshot(staff, "complaint-list-staff")
    rows.first.locator("a").first.click()
    reply = staff.locator("[data-testid=reply-form]")
    reply.locator("textarea[name=reply]").fill("社区已督促物业当天清理完毕，并增加每日巡查。")
    reply.locator("select[name=method]").select_option("phone")
    reply.locator("button[type=submit]").click()
    assert "社区已督促物业当天清理完毕" in staff.locator("[data-testid=reply]").inner_text()
    assert staff.locator("[data-testid=complaint-status]").inner_text() == "已办结"
    screenshot(staff, "complaint-detail-staff")
    context.close()

    # the resident checks progress and rates it
    page.goto(page.base_url + "/complaints/track/")
    page.fill("input[name=code]", code)
    page.fill("input[name=last4]", "1234")
    page.click("form button[type=submit]")
    assert "社区已督促物业当天清理完毕" in page.locator("[data-testid=track-reply]").inner_text()
    rate = page.locator("[data-testid=rate-form]")
    rate.locator("input[value=satisfied]").check()
    rate.locator("textarea[name=comment]").fill("处理很及时")
    rate.locator("button[type=submit]").click()
    assert page.locator("[data-testid=rated]").is_visible()
    assert page.locator("[data-testid=track-satisfaction]").inner_text() == "满意"
    screenshot(page, "complaint-rated-phone")

    complaint.refresh_from_db()
    assert complaint.satisfaction == "satisfied" and complaint.replied_by == county
