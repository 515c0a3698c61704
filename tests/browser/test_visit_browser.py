"""An inspection visit on a phone: a community officer records a visit with one 不合格 line and a
photo; the failure becomes a case in the rectification ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from campaigns.models import ProblemCategory
from inspections import services
from inspections.models import Visit, VisitStatus
from rectification.models import Case
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import PNG

from .conftest import SCREENSHOTS, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_phone_visit_with_one_failure_and_a_photo_opens_a_case(phone_page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    tree = make_tree()
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    EstateFactory(name="秀阳新村", community=tree["xiuyang"])
    county = UserFactory(username="county-v", role=Role.COUNTY_GROUP, region=tree["county"])
    officer = UserFactory(username="community-v", role=Role.COMMUNITY, region=tree["xiuyang"])
    officer.set_password(PASSWORD)
    officer.save()
    today = timezone.localdate()
    round = services.round_create(user=county, name="全县第一轮排查", region_id=tree["county"].pk,
                                  start_date=today - timedelta(days=5), end_date=today + timedelta(days=30))
    a3 = ProblemCategory.objects.get(code="A3")
    photo = tmp_path / "消防通道.png"
    photo.write_bytes(PNG)

    page = phone_page
    browser_login(page, "community-v", PASSWORD)
    page.goto(f"{live_server.url}/inspections/rounds/{round.pk}/")
    assert "0 / 2（0%）" in page.locator("[data-testid=coverage-total]").inner_text()
    page.locator("[data-testid=entries] li", has_text="海阳花园").get_by_role("link", name="录入").click()

    page.fill("input[name=inspectors]", "王芳、李明")
    page.fill("input[name=enterprise_representative]", "海阳物业 张经理")
    page.locator("[data-testid=all-pass]").click()
    line = page.locator(f"[data-testid=line-{a3.code}]")
    line.locator(f"label[for=r{a3.pk}_fail]").click()
    line.locator("textarea").fill("3号楼消防通道堆放杂物，堵塞疏散通道")
    line.locator("input[type=file]").set_input_files(str(photo))
    screenshot(page, "visit-entry-phone")
    line.screenshot(path=str(SCREENSHOTS / "visit-entry-line-phone.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "visit-entry-top-phone.png"))
    page.locator("[data-testid=submit-visit]").click()

    assert page.locator("[data-testid=visit-status]").inner_text() == "已提交"
    failure = page.locator("[data-testid=failure]")
    assert failure.count() == 1
    assert "堵塞疏散通道" in failure.inner_text()
    assert failure.locator("img").count() == 1
    case_link = failure.locator("[data-testid=case-link]")
    assert "待核查" in case_link.inner_text()
    screenshot(page, "visit-submitted-phone")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "visit-submitted-top-phone.png"))

    page.goto(f"{live_server.url}/rectification/")
    rows = page.locator("[data-testid=case-row]")
    assert rows.count() == 1
    text = rows.first.text_content()  # the source cell is in the row, left out of the phone card (card-hide)
    assert "海阳花园" in text and "排查发现" in text and a3.label in text
    screenshot(page, "visit-case-in-ledger-phone")

    page.goto(f"{live_server.url}/inspections/rounds/{round.pk}/")
    assert "1 / 2（50%）" in page.locator("[data-testid=coverage-total]").inner_text()

    visit = Visit.objects.get()
    assert visit.status == VisitStatus.SUBMITTED and visit.enterprise_representative == "海阳物业 张经理"
    case = Case.objects.get()
    assert case.estate == estate and case.source == "inspection" and case.category == a3
    assert visit.lines.get(category=a3).photos.count() == 1
