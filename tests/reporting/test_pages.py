"""The reporting pages: unit form, county review, stored reports, dashboard, API."""

import json

import pytest
from django.utils import timezone

from reporting import periods, services
from reporting.builds import stored_report_build
from reporting.models import StoredReport, UnitReport, UnitReportStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db

NARRATIVE = {"progress": "完成排查", "good_practice": "", "problems": "", "next_steps": ""}


def this_month():
    return timezone.localdate().strftime("%Y-%m")


def test_unit_form_prefills_saves_and_submits(client, town_user, ledger):
    login(client, town_user)
    response = client.get("/reporting/unit/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "海阳镇" in text and "整改中" in text and "报送县专班办公室" in text
    response = client.post("/reporting/unit/", {"period": this_month(), "progress": "=SUM(A1) 已完成排查", "action": "save"})
    assert response.status_code == 302
    assert UnitReport.objects.get().status == UnitReportStatus.DRAFT
    response = client.post("/reporting/unit/", {"period": this_month(), "progress": "已完成排查", "action": "submit"})
    report = UnitReport.objects.get()
    assert report.status == UnitReportStatus.SUBMITTED and report.snapshot["figures"]["rectifying"] == 2
    response = client.get("/reporting/unit/")
    assert "报送时数据（冻结）" in response.content.decode()


def test_unit_form_refuses_bad_periods_and_other_roles(client, town_user, county_user):
    login(client, town_user)
    response = client.get("/reporting/unit/?period=2025-13")
    assert response.status_code == 400 and "报告期" in response.content.decode()
    login(client, county_user)
    response = client.get("/reporting/unit/")
    assert response.status_code == 403 and "镇（街道）、社区填报" in response.content.decode()


def test_review_page_lists_late_units_and_reviews(client, office_user, town_user, ledger, django_assert_max_num_queries):
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    login(client, office_user)
    with django_assert_max_num_queries(14):
        response = client.get(f"/reporting/review/?period={this_month()}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "海阳镇" in text and "万安镇" in text and "已报送" in text and "昱中街道" not in text
    response = client.get("/reporting/review/?period=2025-06")
    assert 'data-testid="late-alert"' in response.content.decode()
    response = client.post(f"/reporting/unit-reports/{report.pk}/review/", {"action": "return", "reason": ""})
    assert response.status_code == 409 and "退回原因" in response.content.decode()
    response = client.post(f"/reporting/unit-reports/{report.pk}/review/", {"action": "return", "reason": "请补充台账"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == UnitReportStatus.RETURNED


def test_review_query_count_does_not_grow_with_units(client, office_user, tree, django_assert_max_num_queries):
    from communities.models import RegionLevel
    from tests.factories import RegionFactory

    for n in range(10):
        RegionFactory(code=f"341022{200 + n}", name=f"新镇{n}", level=RegionLevel.TOWN, parent=tree["county"])
    login(client, office_user)
    with django_assert_max_num_queries(14):
        assert client.get("/reporting/review/").status_code == 200


def test_unit_report_detail_is_scoped(client, town_user, other_town_user, office_user, ledger):
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    login(client, other_town_user)
    assert client.get(f"/reporting/unit-reports/{report.pk}/").status_code == 404
    assert client.post(f"/reporting/unit-reports/{report.pk}/review/", {"action": "accept"}).status_code == 403
    login(client, office_user)
    response = client.get(f"/reporting/unit-reports/{report.pk}/")
    assert response.status_code == 200 and "当前实时数据" in response.content.decode()


def test_stored_reports_list_download_and_scope(client, tree, ledger, county_user, city_user, town_user,
                                                django_assert_max_num_queries):
    for _ in range(3):
        stored_report_build(region_id=tree["county"].pk, period=this_month(), force=True)
    report = StoredReport.objects.order_by("-version").first()
    for user in (city_user, county_user):
        login(client, user)
        with django_assert_max_num_queries(24):
            response = client.get("/reporting/reports/")
        assert response.content.decode().count('data-testid="stored-row"') == 3
        response = client.get(f"/reporting/reports/{report.pk}/download/")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    login(client, town_user)
    assert client.get(f"/reporting/reports/{report.pk}/download/").status_code == 404


def test_county_builds_from_the_page_and_city_cannot(client, tree, county_user, city_user):
    login(client, county_user)
    response = client.post("/reporting/reports/build/", {"period": this_month()})
    assert response.status_code == 302 and StoredReport.objects.offered().count() == 1
    response = client.post("/reporting/reports/build/", {"period": "2025-13"})
    assert response.status_code == 400
    login(client, city_user)
    assert client.post("/reporting/reports/build/", {"period": this_month()}).status_code == 403


def test_api_lists_versions_with_download_links(api_client, tree, ledger, city_user, town_user, county_user):
    stored_report_build(region_id=tree["county"].pk, period=this_month())
    stored_report_build(region_id=tree["county"].pk, period=this_month(), force=True)
    StoredReport.objects.create(region=tree["county"], period=this_month(), version=3)  # still building
    api_client.force_authenticate(city_user)
    response = api_client.get("/api/v1/reports/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["version"] for r in results] == [2, 1]
    assert results[0]["download_url"].endswith(f"/api/v1/reports/{results[0]['id']}/download/")
    assert api_client.get(results[0]["download_url"]).status_code == 200
    api_client.force_authenticate(town_user)
    assert api_client.get("/api/v1/reports/").json()["results"] == []
    assert api_client.get(f"/api/v1/reports/{results[0]['id']}/download/").status_code == 404
    api_client.force_authenticate(county_user)
    assert api_client.post("/api/v1/reports/", {}).status_code in (403, 405)


def test_dashboard_figures_and_links(client, county_user, ledger, tree, django_assert_max_num_queries):
    login(client, county_user)
    # the charts' 20, the registry's rates (one collect), and the coverage against targets (6)
    with django_assert_max_num_queries(40):
        response = client.get("/reporting/dashboard/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "vendor/echarts-5.6.0/echarts.min.js" in text
    data = json.loads(text.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    town_state = data["town_state"]
    assert town_state["towns"] == ["海阳镇", "万安镇"]
    rectifying = next(s for s in town_state["series"] if s["id"] == "rectifying")
    assert rectifying["data"] == [2, 0]
    assert town_state["url"] == "/rectification/?town={town}&state={state}"
    assert data["overdue"]["towns"] == ["海阳镇"] and data["overdue"]["data"] == [1]
    assert data["estates"]["labels"][0] == "海阳花园"
    assert data["submission"]["url"].startswith("/reporting/review/")


def test_dashboard_query_count_does_not_grow_with_cases(client, county_user, estates, django_assert_max_num_queries):
    from tests.rectification.factories import CaseFactory

    for estate in estates.values():
        for _ in range(5):
            CaseFactory(estate=estate)
    login(client, county_user)
    # the charts' 20, the registry's rates (one collect), and the coverage against targets (6)
    with django_assert_max_num_queries(40):
        assert client.get("/reporting/dashboard/").status_code == 200


def test_dashboard_is_scoped(client, town_user, ledger):
    login(client, town_user)
    response = client.get("/reporting/dashboard/")
    data = json.loads(response.content.decode().split('type="application/json">')[1].split("</script>")[0])
    assert data["town_state"]["towns"] == ["海阳镇"]
    assert client.get("/reporting/dashboard/?region=341002").status_code == 404


def test_index_sends_each_role_to_its_page(client, town_user, office_user, city_user, community_user):
    for user, target in ((town_user, "/reporting/unit/"), (community_user, "/reporting/unit/"),
                         (office_user, "/reporting/review/"), (city_user, "/reporting/reports/")):
        login(client, user)
        assert client.get("/reporting/")["Location"] == target


def test_review_page_is_for_the_county(client, town_user, city_user, tree):
    login(client, town_user)
    response = client.get("/reporting/review/")
    assert response.status_code == 403 and "县专班" in response.content.decode()
    login(client, city_user)  # the city bureau may look, not review
    response = client.get("/reporting/review/?region=341022")
    assert response.status_code == 200 and "采纳" not in response.content.decode()


def test_a_community_reports_its_own_figures(client, community_user, ledger):
    login(client, community_user)
    response = client.post("/reporting/unit/", {"period": this_month(), "progress": "社区排查完成", "action": "submit"})
    assert response.status_code == 302
    report = UnitReport.objects.get()
    assert report.unit == community_user.region and report.duty.code == "community-monthly"
    assert report.snapshot["figures"]["cases_opened"] == 2  # 秀阳社区's cases only


def test_unit_report_pages_query_counts(client, town_user, office_user, ledger, django_assert_max_num_queries):
    login(client, town_user)
    with django_assert_max_num_queries(24):
        assert client.get("/reporting/unit/").status_code == 200
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    login(client, office_user)
    with django_assert_max_num_queries(24):
        assert client.get(f"/reporting/unit-reports/{report.pk}/").status_code == 200


def test_unit_form_warns_when_past_the_due_day(client, town_user):
    login(client, town_user)
    response = client.get("/reporting/unit/?period=2025-06")
    assert 'data-testid="late-warning"' in response.content.decode()


def test_discipline_may_not_download_the_county_workbook(client, api_client, tree, ledger, discipline_user):
    """It sees only corruption-clue cases; the workbook lists every case of the county."""
    stored_report_build(region_id=tree["county"].pk, period=this_month())
    report = StoredReport.objects.get()
    login(client, discipline_user)
    response = client.get(f"/reporting/reports/{report.pk}/download/")
    assert response.status_code == 403 and "不能下载全县汇总报表" in response.content.decode()
    assert f"/reporting/reports/{report.pk}/download/" not in client.get("/reporting/reports/").content.decode()
    api_client.force_authenticate(discipline_user)
    response = api_client.get(f"/api/v1/reports/{report.pk}/download/")
    assert response.status_code == 403 and "不能下载全县汇总报表" in response.json()["detail"]
