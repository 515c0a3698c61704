"""挂图作战 in a real browser: the county user's charts render, and clicking a town's bar opens the
ledger filtered to that town."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree
from tests.rectification.factories import CaseFactory, rectifying_case

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"


def test_charts_render_and_a_town_bar_opens_the_filtered_ledger(page, live_server):
    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    haiyang = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    chengbei = EstateFactory(name="城北佳苑", community=tree["chengbei"], enterprise=enterprise)
    wanan = EstateFactory(name="横江苑", community=tree["wanan_community"], enterprise=EnterpriseFactory(name="万安物业"))
    for estate, count in ((haiyang, 4), (chengbei, 2), (wanan, 3)):
        for n in range(count):
            rectifying_case(estate, complainant_count=n + 1)
    rectifying_case(wanan, deadline=timezone.localdate() - timedelta(days=5))
    CaseFactory(estate=haiyang, state="closed", closed_at=timezone.now())
    CaseFactory(estate=wanan)
    county = UserFactory(username="demo-county", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()

    browser_login(page, "demo-county", PASSWORD)
    page.goto(page.base_url + "/reporting/dashboard/")
    page.wait_for_function("window.dashboardCharts && Object.keys(window.dashboardCharts).length >= 7")
    # every chart drew something: its canvas is not blank
    blank = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid=chart]')).filter(el => {
        const canvas = el.querySelector('canvas');
        if (!canvas || canvas.width === 0 || canvas.height === 0) return true;
        const ctx = canvas.getContext('2d');
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return false; }
        return true;
    }).map(el => el.id)""")
    assert blank == []
    # by town and state, trend, overdue, categories, estates, inspection coverage, report submission
    assert page.locator("[data-testid=chart] canvas").count() == 7
    path = screenshot(page, "dashboard-county")
    assert path.stat().st_size > 10_000

    # (the first column holds the bulk-action checkbox)
    # click the middle of 万安镇's 整改中 bar segment, as a user would
    towns = page.evaluate("window.dashboardCharts['town-state'].getOption().xAxis[0].data")
    index = towns.index("万安镇")
    x, y = page.evaluate(f"""() => {{
        const chart = window.dashboardCharts['town-state'];
        const series = chart.getOption().series.find(s => s.id === 'rectifying');
        return chart.convertToPixel({{seriesId: 'rectifying'}}, [{index}, series.data[{index}] / 2]);
    }}""")
    box = page.locator("#chart-town-state").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/rectification/?*")
    assert f"town={tree['wanan'].pk}" in page.url and "state=rectifying" in page.url
    towns_in_ledger = set(page.locator("[data-testid=case-row] td:nth-child(3)").all_inner_texts())
    assert towns_in_ledger == {"万安镇"}
    assert page.locator("[data-testid=case-row]").count() == 4
    screenshot(page, "dashboard-click-ledger")


def test_a_city_users_county_bar_opens_the_countys_ledger(page, live_server):
    from reporting.dashboard import monthly_figures_build

    tree = make_tree()
    enterprise = EnterpriseFactory(name="海阳物业")
    haiyang = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=enterprise)
    laojie = EstateFactory(name="老街府", community=tree["laojie"], enterprise=enterprise)
    for _ in range(3):
        rectifying_case(haiyang)
    rectifying_case(laojie)
    monthly_figures_build()
    from tests.inspections.factories import make_round, record_visit

    county_officer = UserFactory(username="county-officer", role=Role.COUNTY_GROUP, region=tree["county"])
    record_visit(county_officer, make_round(county_officer, tree["county"]), haiyang)
    city = UserFactory(username="demo-city", role=Role.CITY, region=tree["city"])
    city.set_password(PASSWORD)
    city.save()

    browser_login(page, "demo-city", PASSWORD)
    page.goto(page.base_url + "/reporting/dashboard/")
    page.wait_for_function("window.dashboardCharts && Object.keys(window.dashboardCharts).length >= 5")
    assert "往月数据截至" in page.locator("[data-testid=trend-summary]").inner_text()
    counties = page.evaluate("window.dashboardCharts['town-state'].getOption().xAxis[0].data")
    assert counties == ["屯溪区", "休宁县"]
    x, y = page.evaluate("""() => {
        const chart = window.dashboardCharts['town-state'];
        const series = chart.getOption().series.find(s => s.id === 'rectifying');
        return chart.convertToPixel({seriesId: 'rectifying'}, [1, series.data[1] / 2]);
    }""")
    box = page.locator("#chart-town-state").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/rectification/?*")
    assert f"county={tree['county'].pk}" in page.url and "state=rectifying" in page.url
    assert page.locator("[data-testid=case-row]").count() == 3
    assert "老街府" not in page.locator("[data-testid=case-table]").inner_text()
    screenshot(page, "dashboard-city-county-ledger")

    # the coverage and the report submission have a bar per county too; one opens that county's
    # dashboard (its towns)
    for chart, index, value, code in (("coverage", 1, 50, "341022"), ("submission", 0, 1, "341002")):
        page.goto(page.base_url + "/reporting/dashboard/")
        assert _bar_labels(page, chart) == ["屯溪区", "休宁县"]
        x, y = page.evaluate(f"() => window.dashboardCharts['{chart}'].convertToPixel({{seriesIndex: 0}}, [{index}, {value}])")
        page.locator(f"#chart-{chart}").scroll_into_view_if_needed()
        box = page.locator(f"#chart-{chart}").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url(lambda url, code=code: url.endswith(f"/reporting/dashboard/?region={code}"))
    assert _bar_labels(page, "coverage") == ["昱中街道"] and _bar_labels(page, "submission") == []
    screenshot(page, "dashboard-city-submission-county")


def _bar_labels(page, chart) -> list[str]:
    """The categories of a chart's bars ([] for a pie)."""
    page.wait_for_function(f"window.dashboardCharts && window.dashboardCharts['{chart}']")
    return page.evaluate(f"(window.dashboardCharts['{chart}'].getOption().xAxis || [{{data: []}}])[0].data")
