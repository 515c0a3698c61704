"""挂图作战 at province scale: the 12-month trend reads past months from the nightly summary
(CaseMonthlyFigure), counts the current month and never-summarised months live, and says so;
a province's or a city's charts group by the level below (cities, counties) and drill down."""

import json
from datetime import datetime, time

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from rectification.models import CaseClue, CaseState
from reporting.dashboard import TREND_MONTHS, _month_start, dashboard_data, monthly_figures_build
from reporting.models import CaseMonthlyFigure, CaseMonthlySummary
from reporting.tasks import build_case_monthly_figures
from tests.conftest import login
from tests.factories import RegionFactory, UserFactory
from tests.rectification.factories import CaseFactory, ledger_rows, rectifying_case

pytestmark = pytest.mark.django_db


def at(months_back: int, day: int = 15, hour: int = 10) -> datetime:
    return datetime.combine(_month_start(months_back).replace(day=day), time(hour, 30), timezone.get_current_timezone())


def clue(case, months_back: int, day: int = 15, hour: int = 10):
    return CaseClue.objects.create(case=case, source="complaint", received_at=at(months_back, day, hour))


def closed(estate, months_back: int, **kwargs):
    return CaseFactory(estate=estate, state=CaseState.CLOSED, closed_at=at(months_back), **kwargs)


def key(months_back: int) -> str:
    return _month_start(months_back).strftime("%Y-%m")


def page_data(client, url="/reporting/dashboard/"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    return json.loads(text.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[0]), text


@pytest.fixture
def history(estates):
    """Clues and closures over the past months in 海阳镇, 万安镇 (休宁县) and 昱中街道 (屯溪区), the
    first and last day of a month included (month boundaries are local time)."""
    haiyang = rectifying_case(estates["haiyang_1"])
    wanan = CaseFactory(estate=estates["wanan_1"])
    tunxi = CaseFactory(estate=estates["tunxi_1"])
    corrupt = CaseFactory(estate=estates["haiyang_2"], is_corruption_clue=True)
    for months_back, n in ((0, 2), (1, 3), (3, 1), (TREND_MONTHS - 1, 2), (TREND_MONTHS, 5)):
        for _ in range(n):
            clue(haiyang, months_back)
    clue(haiyang, 2, day=1)
    clue(wanan, 1)
    clue(wanan, 2, day=1, hour=0)  # the previous month in UTC
    clue(tunxi, 1)
    clue(tunxi, 0)
    clue(corrupt, 1)
    closed(estates["haiyang_1"], 1)
    closed(estates["wanan_1"], 4)
    closed(estates["tunxi_1"], 0)
    return {"haiyang": haiyang, "wanan": wanan, "tunxi": tunxi}


def trend_of(data) -> dict:
    trend = data["trend"]
    return {m: (c, d) for m, c, d in zip(trend["months"], trend["clues"], trend["closed"], strict=True) if c or d}


COUNTY_TREND = {key(0): (2, 0), key(1): (5, 1), key(2): (2, 0), key(3): (1, 0), key(4): (0, 1), key(TREND_MONTHS - 1): (2, 0)}


def test_summary_gives_the_live_figures_and_the_page_says_so(client, county_user, city_user, town_user, history):
    login(client, county_user)
    live, text = page_data(client)
    assert trend_of(live) == COUNTY_TREND
    assert live["trend"]["summary"] is None and "往月数据截至" not in text

    built = build_case_monthly_figures.delay().get()
    assert built == [key(n) for n in range(TREND_MONTHS - 1, 0, -1)]
    assert CaseMonthlySummary.objects.count() == TREND_MONTHS - 1
    assert CaseMonthlyFigure.objects.get(month=_month_start(1), region__name="海阳镇").clues_received == 4

    summarised, text = page_data(client)
    assert trend_of(summarised) == COUNTY_TREND
    summary = CaseMonthlySummary.objects.order_by("built_at").first()
    stamp = timezone.localtime(summary.built_at).strftime("%Y-%m-%d %H:%M")
    assert f"往月数据截至 {stamp} 汇总，本月为实时数据" in text
    assert summarised["trend"]["summary"]["months"] == [key(n) for n in range(TREND_MONTHS - 1, 0, -1)]

    # scoped by region path: a town sees its own town's rows, a city both counties'
    login(client, town_user)
    assert trend_of(page_data(client)[0]) == {key(0): (2, 0), key(1): (4, 1), key(2): (1, 0), key(3): (1, 0),
                                              key(TREND_MONTHS - 1): (2, 0)}
    login(client, city_user)
    city = trend_of(page_data(client)[0])
    assert city[key(0)] == (3, 1) and city[key(1)] == (6, 1)


def test_a_month_never_summarised_is_counted_live(client, county_user, history, estates):
    monthly_figures_build()
    CaseMonthlySummary.objects.filter(month=_month_start(2)).delete()
    CaseMonthlyFigure.objects.filter(month=_month_start(2)).delete()
    clue(history["wanan"], 2)  # arrives after the build: a live month shows it at once
    login(client, county_user)
    data, text = page_data(client)
    assert trend_of(data) == {**COUNTY_TREND, key(2): (3, 0)}
    assert key(2) not in data["trend"]["summary"]["months"]
    assert "本月及未汇总月份为实时数据" in text


def test_the_build_is_idempotent_and_replaces_a_month(county_user, history):
    monthly_figures_build()
    rows = set(CaseMonthlyFigure.objects.values_list("month", "region_id", "clues_received", "cases_closed"))
    monthly_figures_build()
    assert set(CaseMonthlyFigure.objects.values_list("month", "region_id", "clues_received", "cases_closed")) == rows
    assert CaseMonthlySummary.objects.count() == TREND_MONTHS - 1

    clue(history["wanan"], 3)
    assert trend_of(dashboard_data(user=county_user, county=None))[key(3)] == (1, 0)  # the summary until rebuilt
    assert build_case_monthly_figures([key(3)]) == [key(3)]
    assert trend_of(dashboard_data(user=county_user, county=None))[key(3)] == (2, 0)
    # the current and future months are never summarised
    assert monthly_figures_build([_month_start(0)]) == []
    assert not CaseMonthlySummary.objects.filter(month__gte=_month_start(0)).exists()


def test_narrower_scopes_than_a_town_stay_live(client, tree, history):
    monthly_figures_build()
    CaseMonthlyFigure.objects.update(clues_received=999)  # would show if the summary were read
    discipline = UserFactory(username="discipline-dash", role=Role.DISCIPLINE, region=tree["county"])
    login(client, discipline)
    assert trend_of(page_data(client)[0]) == {key(1): (1, 0)}
    community = UserFactory(username="community-dash", role=Role.COMMUNITY, region=tree["chengbei"])
    login(client, community)
    assert trend_of(page_data(client)[0]) == {key(1): (1, 0)}  # 城北社区's case


def test_beat_runs_the_build_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-build-case-monthly-figures"]
    assert entry["task"] == "reporting.tasks.build_case_monthly_figures"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}


# ---------------------------------------------------------------------------------------------
# province and city scopes: one bar per city or county, drilling down


def test_city_groups_by_county_and_links_to_the_county_ledger(client, city_user, ledger, tree):
    login(client, city_user)
    data, text = page_data(client)
    town_state = data["town_state"]
    assert town_state["towns"] == ["屯溪区", "休宁县"] and town_state["codes"] == ["341002", "341022"]
    assert town_state["town_ids"] == [tree["district"].pk, tree["county"].pk]
    assert town_state["url"] == "/rectification/?county={town}&state={state}" and not town_state["drill"]
    rectifying = next(s for s in town_state["series"] if s["id"] == "rectifying")
    assert rectifying["data"] == [0, 2]
    assert data["overdue"]["towns"] == ["休宁县"] and data["overdue"]["data"] == [1]
    assert data["overdue"]["url"] == "/rectification/?county={town}&overdue=true"
    assert data["totals"] == {"cases": 5, "open": 4, "overdue": 1}
    assert "各县（区）案件状态" in text and "点击查看该" not in text
    # the bar's link: the ledger shows that county's cases of that state, the figure of the bar
    rows = ledger_rows(client.get(f"/rectification/?county={tree['county'].pk}&state=rectifying"))
    assert rows.count('data-testid="case-row"') == 2 and "老街府" not in rows
    rows = ledger_rows(client.get(f"/rectification/?county={tree['county'].pk}&overdue=true"))
    assert rows.count('data-testid="case-row"') == 1

    data, text = page_data(client, "/reporting/dashboard/?region=341022")
    assert data["town_state"]["towns"] == ["海阳镇", "万安镇"]
    assert data["town_state"]["url"] == "/rectification/?town={town}&state={state}"
    assert data["overdue"]["url"] == "/rectification/?town={town}&overdue=true"
    assert data["totals"] == {"cases": 4, "open": 3, "overdue": 1}
    assert "各镇（街道）案件状态" in text and 'data-testid="dashboard-up"' in text
    assert client.get("/reporting/dashboard/?region=999999").status_code == 404


def test_a_city_sees_coverage_and_submission_of_every_county(client, city_user, county_user, tree, estates):
    """Not one county's: coverage by county (a bar opens that county's dashboard), and the report
    submission of the towns and communities of all the city's counties."""
    from reporting.models import UnitReport, UnitReportStatus
    from reporting.services import unit_duty
    from tests.inspections.factories import make_round, record_visit

    round = make_round(county_user, tree["county"])
    record_visit(county_user, round, estates["haiyang_1"])
    period = _month_start(0).strftime("%Y-%m")
    UnitReport.objects.create(duty=unit_duty(tree["yuzhong"]), unit=tree["yuzhong"], period=period,
                              status=UnitReportStatus.SUBMITTED, submitted_at=timezone.now())
    login(client, city_user)
    data, text = page_data(client)
    coverage = data["coverage"]
    assert coverage["towns"] == ["屯溪区", "休宁县"] and coverage["codes"] == ["341002", "341022"]
    assert (coverage["managed"], coverage["inspected"], coverage["rates"]) == ([1, 3], [0, 1], [0.0, 33.3])
    assert coverage["url"] == "/reporting/dashboard/?region={region}" and "各县（区）排查覆盖率" in text
    # 3 towns and 4 communities in two counties, a bar each; 昱中街道 (屯溪区) has reported
    submission = data["submission"]
    assert {i["name"]: i["value"] for i in submission["items"]} == {"已报送": 1, "未报送": 6}
    assert submission["areas"] == ["屯溪区", "休宁县"] and submission["codes"] == ["341002", "341022"]
    assert {s["name"]: s["data"] for s in submission["series"]} == {"已报送": [1, 0], "未报送": [1, 5]}
    assert submission["url"] == "/reporting/dashboard/?region={region}" and "各县（区）镇、社区报送情况" in text
    # the county's own dashboard: its towns and its units only
    data, text = page_data(client, "/reporting/dashboard/?region=341022")
    assert data["coverage"]["towns"] == ["海阳镇", "万安镇"] and data["coverage"]["rates"] == [50.0, 0.0]
    assert {i["name"]: i["value"] for i in data["submission"]["items"]} == {"未报送": 5}
    assert "series" not in data["submission"] and data["submission"]["url"].startswith("/reporting/review/")
    assert "各镇（街道）排查覆盖率" in text


def test_county_user_dashboard_is_unchanged_by_the_region_parameter(client, county_user, ledger):
    login(client, county_user)
    plain, _ = page_data(client)
    own, text = page_data(client, "/reporting/dashboard/?region=341022")
    assert own == plain and plain["scope"] is None and 'data-testid="dashboard-up"' not in text
    assert client.get("/reporting/dashboard/?region=341000").status_code == 404
    assert client.get("/reporting/dashboard/?region=341002").status_code == 404


def test_province_user_groups_by_city(client, tree, ledger):
    admin = UserFactory(username="province-admin", role=Role.SYSADMIN, region=tree["province"])
    login(client, admin)
    data, text = page_data(client)
    assert data["town_state"]["towns"] == ["黄山市"] and data["town_state"]["codes"] == ["341000"]
    assert data["town_state"]["url"] == "/reporting/dashboard/?region={region}" and data["town_state"]["drill"]
    assert data["overdue"]["url"] == "/reporting/dashboard/?region={region}"
    assert data["totals"]["cases"] == 5 and "各市案件状态" in text and "点击查看该市" in text
    data, _ = page_data(client, "/reporting/dashboard/?region=341000")
    assert data["town_state"]["towns"] == ["屯溪区", "休宁县"]


@pytest.mark.parametrize("role,region", [(Role.SYSADMIN, "province"), (Role.CITY, "city")])
def test_query_count_does_not_grow_with_areas_towns_or_months(client, tree, estates, role, region,
                                                              django_assert_max_num_queries):
    from communities.models import RegionLevel

    user = UserFactory(username=f"dash-{role}", role=role, region=tree[region])
    for n in range(5):
        county = RegionFactory(code=f"3410{30 + n}", name=f"新县{n}", level=RegionLevel.COUNTY, parent=tree["city"])
        RegionFactory(code=f"3410{30 + n}100", name=f"新镇{n}", level=RegionLevel.TOWN, parent=county)
    for estate in estates.values():
        for months_back in range(TREND_MONTHS):
            clue(CaseFactory(estate=estate), months_back)
    login(client, user)
    with django_assert_max_num_queries(32):  # the charts' 20, and the registry's rates (one collect)
        assert client.get("/reporting/dashboard/").status_code == 200
    monthly_figures_build()
    with django_assert_max_num_queries(32):  # the charts' 20, and the registry's rates (one collect)
        assert client.get("/reporting/dashboard/").status_code == 200


def test_estate_and_category_rankings_match_the_joined_queries(county_user, tree):
    """The rankings are counted without joins and folded in Python: same answer, ties by name."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    from rectification.models import OPEN_STATES, Case
    from tests.factories import EstateFactory
    from tests.rectification.factories import leaf_category

    codes = ["A1", "A2", "B1", "C1", "A3"]
    for n in range(14):
        estate = EstateFactory(name=f"{'乙甲丙丁'[n % 4]}苑{13 - n}", community=tree["xiuyang"])
        rectifying_case(estate, complainant_count=5 if n < 3 else 2, category=leaf_category(codes[n % len(codes)]))
    cases = Case.objects.visible_to(county_user)
    expected_estates = list(
        cases.filter(state__in=OPEN_STATES).values("estate_id", "estate__name").annotate(total=Sum("complainant_count"))
        .filter(total__gt=0).order_by("-total", "estate__name")[:10]
    )
    expected_categories = list(
        cases.annotate(group_id=Coalesce("category__parent_id", "category_id"),
                       group_label=Coalesce("category__parent__label", "category__label"))
        .values("group_id", "group_label").annotate(n=Count("pk")).order_by("-n", "group_id")[:10]
    )
    data = dashboard_data(user=county_user, county=None)
    assert data["estates"]["labels"] == [r["estate__name"] for r in expected_estates]
    assert data["estates"]["ids"] == [r["estate_id"] for r in expected_estates]
    assert data["estates"]["data"] == [r["total"] for r in expected_estates]
    assert data["categories"]["ids"] == [r["group_id"] for r in expected_categories]
    assert data["categories"]["labels"] == [r["group_label"] for r in expected_categories]
    assert data["categories"]["data"] == [r["n"] for r in expected_categories]
