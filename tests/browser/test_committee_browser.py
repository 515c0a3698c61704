"""A community officer records an owners' committee, its members and term in a real browser; the
county then sees the town's 业委会（物管会）覆盖率 rise on the dashboard, against the 盘锦 target."""

from decimal import Decimal

import pytest

from accounts.models import Role
from subjects.models import CommitteeMember, CoverageFigure, CoverageTarget, OwnersCommittee
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def _haiyang_committee_rate(page) -> str:
    page.goto(page.base_url + "/reporting/dashboard/")
    row = page.locator("[data-testid=coverage-row][data-unit=海阳镇]")
    return row.locator("[data-testid=coverage-rate]").first.inner_text()


def test_community_records_a_committee_and_the_county_sees_coverage_rise(browser, live_server):
    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    EstateFactory(name="城北佳苑", community=tree["chengbei"], enterprise=enterprise)
    CoverageTarget.objects.create(region=tree["county"], figure=CoverageFigure.COMMITTEE, percent=Decimal("95"),
                                  plan="panjin")
    for username, role, region in (("demo-county", Role.COUNTY_GROUP, tree["county"]),
                                   ("demo-community", Role.COMMUNITY, tree["xiuyang"])):
        user = UserFactory(username=username, role=role, region=region)
        user.set_password(PASSWORD)
        user.save()

    county = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    county.set_default_timeout(15000)
    county.base_url = live_server.url
    browser_login(county, "demo-county", PASSWORD)
    county.wait_for_url("**/accounts/home/**")
    assert _haiyang_committee_rate(county) == "0.0%"

    officer = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    officer.set_default_timeout(15000)
    officer.base_url = live_server.url
    browser_login(officer, "demo-community", PASSWORD)
    officer.wait_for_url("**/accounts/home/**")
    officer.goto(officer.base_url + "/subjects/committees/new/")
    officer.select_option("select[name=estate]", str(estate.pk))
    officer.select_option("select[name=kind]", "owners_committee")
    officer.fill("input[name=term_start]", "2026-03-01")
    officer.fill("input[name=term_end]", "2031-02-28")
    officer.fill("input[name=filed_on]", "2026-03-15")
    officer.check("input[name=has_seal]")
    officer.check("input[name=has_party_organisation]")
    officer.click("[data-testid=subject-form] button[type=submit]")
    officer.wait_for_selector("[data-testid=member-form]")
    for name, role in (("王建国", "director"), ("李秀英", "deputy"), ("张志强", "member")):
        officer.fill("[data-testid=member-form] input[name=name]", name)
        officer.select_option("[data-testid=member-form] select[name=role]", role)
        officer.click("[data-testid=member-form] button[type=submit]")
        officer.wait_for_selector(f"[data-testid=member] >> text={name}")
    assert officer.locator("[data-testid=committee-term]").inner_text() == "2026-03-01 至 2031-02-28"
    screenshot(officer, "committee-detail-phone")

    committee = OwnersCommittee.objects.get(estate=estate)
    assert CommitteeMember.objects.filter(committee=committee).count() == 3

    assert _haiyang_committee_rate(county) == "50.0%"  # one of 海阳镇's two estates
    row = county.locator("[data-testid=coverage-row][data-unit=海阳镇]")
    assert "目标 95.0%" in row.inner_text()
    screenshot(county, "dashboard-coverage-targets")
    # the uncovered count opens the list of 海阳镇's estates without a committee
    row.locator("[data-testid=coverage-missing]").first.click()
    county.wait_for_selector("[data-testid=estate-table]")
    assert county.locator("[data-testid=estate-table] tbody tr").count() == 1
    assert "城北佳苑" in county.locator("[data-testid=estate-table]").inner_text()
