"""The coverage figures equal the lists they open, and are compared with the stored targets."""

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, urlparse

from django.urls import resolve

from communities.models import ManagementType, OwnersBodyStatus
from reporting import figures as registry
from reporting.coverage import MISSING, coverage_against_targets, coverage_sheet_rows
from reporting.providers_subjects import FIGURES
from subjects import services
from subjects.models import CoverageFigure, CoverageTarget
from tests.conftest import login
from tests.factories import EstateFactory

from .conftest import committee_for

TODAY = date(2026, 12, 3)


def _setup(estates, county_user, tree):
    EstateFactory(name="无物业小区", community=tree["xiuyang"], enterprise=None, management_type=ManagementType.NONE)
    committee_for(county_user, estates["haiyang_1"], party=True)
    committee_for(county_user, estates["haiyang_2"], party=False)
    CoverageTarget.objects.create(region=tree["county"], figure=CoverageFigure.COMMITTEE, percent=Decimal("95"),
                                  plan="panjin")
    CoverageTarget.objects.create(region=tree["haiyang"], figure=CoverageFigure.PARTY_OF_COMMITTEES,
                                  percent=Decimal("50"), plan="zhongshan")


def _api_count(client, drill: registry.Drill, unit) -> int:
    params = drill.query(start=TODAY, end=TODAY, unit=unit)
    response = client.get(drill.api, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def _page_count(client, url: str) -> int:
    parsed = urlparse(url)
    match = resolve(parsed.path)
    response = client.get(parsed.path, dict(parse_qsl(parsed.query)))
    assert response.status_code == 200, match
    return response.context["page"].paginator.count


def test_every_coverage_figure_equals_its_list(estates, county_user, tree, client, api_client):
    _setup(estates, county_user, tree)
    login(client, county_user)
    login(api_client, county_user)
    for unit in (tree["haiyang"], tree["wanan"], tree["county"]):
        level_values = registry.collect(tree["county"] if unit.level > 3 else tree["city"], TODAY, TODAY,
                                        level=unit.level)
        values = level_values[unit.pk]
        for figure in [*FIGURES, registry.figure_get("estates_managed"), registry.figure_get("estates_unmanaged")]:
            expected = values[figure.key]
            assert _api_count(api_client, figure.drill, unit) == expected, (figure.key, unit.name)
            assert _page_count(client, figure.drill.url(start=TODAY, end=TODAY, unit=unit)) == expected, figure.key


def test_figures_and_denominators(estates, county_user, tree):
    _setup(estates, county_user, tree)
    haiyang = registry.collect(tree["county"], TODAY, TODAY)[tree["haiyang"].pk]
    assert haiyang["cov_estates"] == 3 and haiyang["cov_committee_estates"] == 2 and haiyang["cov_committee_missing"] == 1
    assert haiyang["cov_committees"] == 2 and haiyang["cov_party_committees"] == 1
    assert haiyang["cov_party_estates"] == 1 and haiyang["cov_party_missing_estates"] == 2
    committee_rate = registry.rate_get(CoverageFigure.COMMITTEE)
    party_by_committees = registry.rate_get(CoverageFigure.PARTY_OF_COMMITTEES)
    party_by_estates = registry.rate_get(CoverageFigure.PARTY_OF_ESTATES)
    assert committee_rate.value(haiyang) == Decimal("66.7")
    assert party_by_committees.value(haiyang) == Decimal("50.0")  # 钟山: over the committees
    assert party_by_estates.value(haiyang) == Decimal("33.3")  # the other denominator: estates


def test_rates_against_the_nearest_target(estates, county_user, tree):
    _setup(estates, county_user, tree)
    table = coverage_against_targets(tree["county"], today=TODAY)
    keys = [rate["key"] for rate in table["rates"]]
    rows = {row["name"]: dict(zip(keys, row["cells"], strict=True)) for row in table["rows"]}
    haiyang, wanan, county = rows["海阳镇"], rows["万安镇"], rows["休宁县"]
    assert haiyang[CoverageFigure.COMMITTEE]["target"] == Decimal("95.0")  # the county's target
    assert haiyang[CoverageFigure.COMMITTEE]["met"] is False and haiyang[CoverageFigure.COMMITTEE]["missing"] == 1
    assert haiyang[CoverageFigure.PARTY_OF_COMMITTEES]["target"] == Decimal("50.0")  # its own
    assert haiyang[CoverageFigure.PARTY_OF_COMMITTEES]["met"] is True
    assert wanan[CoverageFigure.PARTY_OF_COMMITTEES]["target"] is None  # none set above 万安镇
    assert wanan[CoverageFigure.COMMITTEE]["missing"] == 1
    assert county[CoverageFigure.COMMITTEE]["missing"] == 2 and county[CoverageFigure.COMMITTEE]["text"] == "50.0%"
    assert set(MISSING) == set(keys)
    headers, sheet = coverage_sheet_rows(tree["county"], today=TODAY)
    assert headers[0] == "单位" and ["合计：休宁县", "业委会（物管会）覆盖率", "50.0%", "95.0%", "盘锦市方案", "未达标", 2] in sheet


def test_estate_columns_follow_the_register(estates, county_user):
    estate = estates["haiyang_1"]
    committee_for(county_user, estate, party=True, term_end=date(2029, 1, 31))
    estate.refresh_from_db()
    assert estate.owners_body_status == OwnersBodyStatus.COMMITTEE
    assert estate.owners_body_term_end == date(2029, 1, 31) and estate.has_party_organisation


def test_dashboard_shows_the_coverage_against_targets(estates, county_user, tree, client):
    _setup(estates, county_user, tree)
    login(client, county_user)
    response = client.get("/reporting/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="coverage-targets"' in body and "业委会（物管会）覆盖率" in body and "目标 95.0%" in body


def test_an_estate_without_committee_keeps_its_recorded_party_organisation(estates, county_user):
    estate = estates["wanan_1"]
    type(estate).objects.filter(pk=estate.pk).update(has_party_organisation=True)
    services.estate_owners_body_sync(estate_id=estate.pk)
    estate.refresh_from_db()
    assert estate.has_party_organisation and estate.owners_body_status == OwnersBodyStatus.NONE
