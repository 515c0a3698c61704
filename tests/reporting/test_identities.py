"""Every figure the product states holds the identities of reporting.identities: on the demo
county for every month of its history, and on generated data at county scale. A failure names the
figure's code, the region and both sides. Then each workbook figure with a list opens a list of
exactly that many rows (API and page, the same filters)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from communities.models import Region, RegionLevel
from portal import scale as scale_module
from reporting import figures, identities, periods

DEMO_COUNTY = "341022"




def _months(since: date) -> list[periods.Period]:
    current = periods.period_containing("month", timezone.localdate())
    months = []
    while current.end >= since:
        months.append(current)
        current = current.previous()
    return months


def _history_start(county) -> date:
    from complaints.models import Complaint
    from rectification.models import CaseClue

    firsts = [
        CaseClue.objects.filter(case__region_path__startswith=county.path).order_by("received_at").first(),
        Complaint.objects.filter(region_path__startswith=county.path).order_by("received_at").first(),
    ]
    return min(timezone.localdate(row.received_at) for row in firsts if row is not None)


def _report(failures) -> str:
    return "\n".join(str(f) for f in failures)


@pytest.mark.django_db
def test_every_identity_holds_on_every_month_of_the_demo(demo_county, django_assert_max_num_queries):
    months = _months(_history_start(demo_county))
    assert len(months) >= 12
    for period in months:
        # the same queries whatever the rows: per level, each provider once (and once "to date")
        with django_assert_max_num_queries(80):  # 72, and the subjects coverage provider: 2 per level
            failures = identities.check(demo_county, period.start, period.end)
        assert not failures, f"{period.key}:\n{_report(failures)}"
    # and the figures that made the old workbook unbelievable are not vacuous now
    last = months[1]
    values = figures.collect(demo_county, last.start, last.end, level=RegionLevel.COUNTY)[demo_county.pk]
    assert values["complaints_total"] > 0 and values["verified_true"] > 0 and values["estates_inspected"] > 0


@pytest.mark.django_db
def test_the_city_and_province_see_each_county_figure_as_the_county_does(demo_county):
    period = periods.period_containing("month", timezone.localdate()).previous()
    own = figures.collect(demo_county, period.start, period.end, level=RegionLevel.COUNTY)[demo_county.pk]
    for above in (demo_county.parent, demo_county.parent.parent):  # the city, the province
        seen = figures.collect(above, period.start, period.end, level=RegionLevel.COUNTY)[demo_county.pk]
        different = {k: (seen[k], own[k]) for k in own if seen[k] != own[k]}
        assert not different, f"{demo_county.name}: {above.name}看到的数 ≠ 本县的数 {different}"


@pytest.mark.django_db
def test_the_unit_report_prefills_each_figure_with_its_list(demo_county, client):
    client.force_login(User.objects.get(username="demo-town"))
    period = periods.period_containing("month", timezone.localdate()).previous()
    body = client.get("/reporting/unit/", {"period": period.key}).content.decode()
    town = User.objects.get(username="demo-town").region
    for figure in figures.figure_list():
        if figure.drill is not None:
            url = figure.drill.url(start=period.start, end=period.end, unit=town).replace("&", "&amp;")
            assert url in body, figure.key


@pytest.mark.django_db
def test_the_city_and_county_dashboards_show_the_same_coverage(demo_county, client):
    from reporting.dashboard import dashboard_data

    county_user = User.objects.get(username="demo-county")
    city_user = User.objects.get(username="demo-city")
    county_coverage = dashboard_data(user=county_user, county=demo_county)["coverage"]
    city_coverage = dashboard_data(user=city_user, county=None)["coverage"]
    at = city_coverage["codes"].index(DEMO_COUNTY)
    managed, inspected = sum(county_coverage["managed"]), sum(county_coverage["inspected"])
    assert (city_coverage["managed"][at], city_coverage["inspected"][at]) == (managed, inspected)
    assert city_coverage["rates"][at] == float(figures.rate_get("coverage_rate").value(
        {"estates_inspected": inspected, "estates_managed": managed}))
    assert all(rate is None or 0 <= rate <= 100 for rate in county_coverage["rates"] + city_coverage["rates"])
    # the estates without property management are their own line, never in the ratio
    assert sum(county_coverage["unmanaged"]) > 0
    assert city_coverage["unmanaged"][at] == sum(county_coverage["unmanaged"])


@pytest.mark.django_db
def test_each_workbook_figure_opens_a_list_of_that_many_rows(demo_county, client, django_assert_max_num_queries):
    """Per town and for the county, last month and this month: the API's `count` with the
    figure's filters equals the figure; the page with the same filters says 共 N 条."""
    from reporting.workbook import statistics_rows  # noqa: F401 - the workbook's figures are these

    user = User.objects.get(username="demo-county")
    client.force_login(user)
    towns = list(Region.objects.filter(parent=demo_county, level=RegionLevel.TOWN).order_by("code"))
    drilled = [f for f in figures.figure_list() if f.drill is not None]
    # no list yet: public revenue's figures (amounts of entries, disclosures)
    assert {f.key for f in figures.figure_list() if f.drill is None} <= {
        "revenue_estates_with_account", "revenue_income", "revenue_spending", "revenue_enterprise_share",
        "revenue_disclosures", "revenue_disclosures_on_time"}
    assert {"clues_total", "clues_complaint", "verified_true", "listed_supervision", "satisfaction_satisfied",
            "cases_opened", "closed", "rectifying", "overdue", "complaints_total", "group_A_opened",
            "cases_to_date", "closed_to_date", "estates_managed", "estates_inspected"} <= {f.key for f in drilled}
    current = periods.period_containing("month", timezone.localdate())
    for period in (current.previous(), current):
        by_town = figures.collect(demo_county, period.start, period.end, level=RegionLevel.TOWN)
        county = figures.collect(demo_county, period.start, period.end, level=RegionLevel.COUNTY)[demo_county.pk]
        for unit, values in [*((t, by_town[t.pk]) for t in towns), (demo_county, county)]:
            for figure in drilled:
                query = figure.drill.query(start=period.start, end=period.end, unit=unit)
                with django_assert_max_num_queries(12):
                    response = client.get(figure.drill.api, {**query, "page_size": 1})
                assert response.status_code == 200, (figure.key, response.content[:300])
                count = response.json()["count"]
                assert count == values[figure.key], (
                    f"{figure.key} @ {unit.name} {period.key}: 数 {values[figure.key]} ≠ 清单 {count} ({query})")
    # the page lists the same rows as the API
    period = current.previous()
    for figure in drilled:
        url = figure.drill.url(start=period.start, end=period.end, unit=demo_county)
        body = client.get(url).content.decode()
        value = figures.collect(demo_county, period.start, period.end, level=RegionLevel.COUNTY)[demo_county.pk][figure.key]
        assert f"共 {value} 条" in body, f"{figure.key} @ {demo_county.name}: 页面未显示 共 {value} 条 ({url})"


@pytest.mark.django_db
def test_every_identity_holds_on_generated_county_scale_data(monkeypatch):
    """The benchmark county (6,000 cases, 20,000 complaints over 24 months): every month."""
    call_command("load_reference_data", verbosity=0)
    scale_module.generate(scale="county", log=lambda *_: None)
    county = Region.objects.get(level=RegionLevel.COUNTY, code__startswith=scale_module.PROVINCE_CODE[:2])
    months = _months(_history_start(county))
    assert len(months) >= 24
    for period in months:
        failures = identities.check(county, period.start, period.end)
        assert not failures, f"{period.key}:\n{_report(failures)}"


def test_the_estate_list_counts_the_visits_coverage_counts():
    from communities.filters import COVERAGE_VISIT_KINDS
    from inspections.models import COVERAGE_KINDS

    assert set(COVERAGE_VISIT_KINDS) == {str(kind) for kind in COVERAGE_KINDS}


@pytest.mark.django_db
def test_the_county_sees_its_30th_beside_the_towns_27th(demo_county, client):
    from django.urls import reverse

    client.force_login(User.objects.get(username="demo-county"))
    current = periods.period_containing("month", timezone.localdate())
    for url in (reverse("accounts:home"), reverse("reporting:stored-list")):
        body = client.get(url).content.decode()
        assert "月度汇总报市住建局" in body, url
        # last month's roll-up was built and delivered on the 30th (seed_demo), this month's not yet
        assert "已生成第1版，已报送" in body and "报送市住建局（系统内下载）" in body, url
        assert f"{current.label}</strong>：截止" in body and "未生成" in body, url
        assert "镇、社区报送截止" in body, url
    # a town officer has its own 27th, not the county's panel
    client.force_login(User.objects.get(username="demo-town"))
    assert "月度汇总报市住建局" not in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.django_db
def test_discipline_inspection_has_transferred_cases_to_read(demo_county):
    from rectification.models import Case

    user = User.objects.get(username="demo-discipline")
    assert Case.objects.visible_to(user).count() >= 1


@pytest.mark.django_db
def test_the_dashboard_states_the_plans_rates_with_their_parts(demo_county, client):
    from reporting.dashboard import dashboard_data

    data = dashboard_data(user=User.objects.get(username="demo-county"), county=demo_county)
    rates = data["rates"]
    labels = [r["label"] for r in rates["rates"]]
    assert {"办结率", "按时办结率", "满意率", "排查覆盖率"} <= set(labels)
    total = rates["rows"][-1]
    assert total["is_total"] and total["name"] == demo_county.name
    for row in rates["rows"]:
        for label, cell in zip(labels, row["cells"], strict=True):
            if cell["denominator"] == 0:
                assert cell["text"] == "—", (label, row["name"])
            else:
                assert 0 <= cell["numerator"] <= cell["denominator"], (label, row["name"], cell)
    # the county row's parts are the sums of its towns' (the same denominator everywhere)
    for index, label in enumerate(labels):
        towns = rates["rows"][:-1]
        assert total["cells"][index]["denominator"] == sum(r["cells"][index]["denominator"] for r in towns), label


def test_a_broken_identity_names_the_figure_the_region_and_both_sides():
    values = {key: 0 for key in identities.CLUE_SOURCES}
    values.update(clues_total=3, clues_complaint=1, clues_inspection=1)
    failures = identities.check_values(values, region="海阳镇", period="2026-11-01~2026-11-30",
                                       identities=identities.IDENTITIES[:1])
    assert [str(f) for f in failures] == ["clues_total @ 海阳镇 2026-11-01~2026-11-30: 3 = 2 不成立"]
    over = identities.check_values({"estates_inspected": 5, "estates_managed": 4}, region="齐云山镇", period="p",
                                   identities=[])
    assert "coverage_rate @ 齐云山镇 p: 5 <= 4 不成立" in [str(f) for f in over]
