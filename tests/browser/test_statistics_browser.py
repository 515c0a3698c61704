"""The web view of the county workbook's 统计表 in a real browser: the county clicks a figure and
lands on a list of exactly that many rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import CaseFactory, rectifying_case

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_a_workbook_figure_opens_a_list_of_that_many_rows(page, live_server):
    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    haiyang = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    wanan = EstateFactory(name="横江苑", community=tree["wanan_community"], enterprise=EnterpriseFactory(name="万安物业"))
    for n in range(3):
        rectifying_case(haiyang, complainant_count=n + 1)
    rectifying_case(wanan, deadline=timezone.localdate() - timedelta(days=5))
    CaseFactory(estate=haiyang, state="closed", closed_at=timezone.now())
    CaseFactory(estate=wanan, created_at=timezone.now() - timedelta(days=70))  # another month: not this one's
    county = UserFactory(username="county-stats", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()

    browser_login(page, "county-stats", PASSWORD)
    page.goto(page.base_url + "/reporting/statistics/")
    # the total row's 新立案件 and 海阳镇's 整改中
    total = page.locator("[data-testid=statistics-table] tbody tr").last
    opened = total.locator("[data-testid=figure-cases_opened]")
    figure = int(opened.inner_text())
    assert figure == 5
    screenshot(page, "statistics-county")
    opened.click()
    page.wait_for_url("**/rectification/**")
    assert page.locator(f"text=共 {figure} 条").count() == 1
    assert page.locator("table tbody tr").count() == figure

    page.goto(page.base_url + "/reporting/statistics/")
    haiyang_row = page.locator("[data-testid=statistics-table] tbody tr", has_text="海阳镇")
    rectifying = haiyang_row.locator("[data-testid=figure-rectifying]")
    figure = int(rectifying.inner_text())
    assert figure == 3
    rectifying.click()
    page.wait_for_url("**/rectification/**")
    assert page.locator(f"text=共 {figure} 条").count() == 1
    assert page.locator("table tbody tr").count() == figure
