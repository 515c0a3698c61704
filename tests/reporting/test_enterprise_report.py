"""The enterprise monthly report (钟山 plan: each 物业服务企业 reports its rectification progress to
the county working group by the 20th): pre-filled per estate, submitted with frozen figures,
accepted or returned by the county, late enterprises listed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from core.errors import InvalidState, NotFound, PermissionDenied
from rectification.models import Case
from reporting import periods, selectors, services
from reporting.models import EnterpriseReport, UnitReportStatus
from reporting.workbook import narrative_rows
from tests.conftest import login
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory

pytestmark = pytest.mark.django_db

NARRATIVE = {"progress": "海阳花园电梯维保记录已补齐，公共收益已公示", "problems": "城北佳苑停车位划线待业委会表决"}


def this_month():
    return timezone.localdate().strftime("%Y-%m")


@pytest.fixture
def other_enterprise_user(estates):
    """A user of 万安物业公司 (serves 横江苑 in 万安镇)."""
    return UserFactory(username="enterprise-b", role=Role.ENTERPRISE, enterprise=estates["wanan_1"].enterprise)


def figures_by_estate(report):
    return {e["name"]: e["figures"] for e in report.snapshot["estates"]}


def test_it_works(client, enterprise_user, office_user, ledger):
    login(client, enterprise_user)
    response = client.get("/reporting/")
    assert response.status_code == 302 and response.url == "/reporting/enterprise/"
    response = client.get("/reporting/enterprise/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "海阳物业公司" in text and "休宁县" in text and "海阳花园" in text and "城北佳苑" in text
    assert "横江苑" not in text and "月度报送" in text  # another enterprise's estate; the nav link
    assert "超期未办结" in text and "报送县专班" in text
    response = client.post("/reporting/enterprise/", {"period": this_month(), "progress": "草稿", "action": "save"})
    assert response.status_code == 302
    assert EnterpriseReport.objects.get().status == UnitReportStatus.DRAFT
    response = client.post("/reporting/enterprise/", {"period": this_month(), "action": "submit", **NARRATIVE})
    assert response.status_code == 302
    report = EnterpriseReport.objects.get()
    assert report.status == UnitReportStatus.SUBMITTED and report.county.name == "休宁县"
    assert figures_by_estate(report) == {
        "海阳花园": {"cases_opened": 2, "open": 1, "rectifying": 1, "closed": 1, "overdue": 0},
        "城北佳苑": {"cases_opened": 1, "open": 1, "rectifying": 1, "closed": 0, "overdue": 1},
    }
    assert [(e.kind, e.to_state) for e in report.events.all()] == [("save", "draft"), ("submit", "submitted")]
    assert "报送时数据（冻结）" in client.get("/reporting/enterprise/").content.decode()

    login(client, office_user)
    response = client.get(f"/reporting/enterprise-review/?period={this_month()}")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-enterprise="海阳物业公司" data-status="submitted"' in text
    assert 'data-enterprise="万安物业公司" data-status="missing"' in text
    assert "屯溪物业公司" not in text  # serves another county only
    assert client.get(f"/reporting/enterprise-reports/{report.pk}/").status_code == 200
    response = client.post(f"/reporting/enterprise-reports/{report.pk}/review/", {"action": "accept"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == UnitReportStatus.ACCEPTED and report.reviewed_by == office_user
    # the accepted narrative goes into the county workbook's 工作进展 sheet
    rows = list(narrative_rows(report.county, periods.parse_month(this_month())))
    assert ["海阳物业公司", "物业服务企业"] == rows[-1][:2] and rows[-1][4] == NARRATIVE["progress"]


def test_it_validates_ownership(client, enterprise_user, other_enterprise_user, town_user, other_town_user,
                                county_user, ledger):
    report = services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), **NARRATIVE)
    # another enterprise: 404 on the report, 403 on review, its own form shows only its own estate
    login(client, other_enterprise_user)
    assert client.get(f"/reporting/enterprise-reports/{report.pk}/").status_code == 404
    assert client.post(f"/reporting/enterprise-reports/{report.pk}/review/", {"action": "accept"}).status_code == 403
    text = client.get("/reporting/enterprise/").content.decode()
    assert "横江苑" in text and "海阳花园" not in text
    # an enterprise cannot report for a county where it serves no estate
    response = client.get("/reporting/enterprise/?region=341002")
    assert response.status_code == 404 and "没有服务的小区" in response.content.decode()
    # a town user can neither submit nor see one
    with pytest.raises(PermissionDenied):
        services.enterprise_report_submit(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE)
    login(client, town_user)
    response = client.get("/reporting/enterprise/")
    assert response.status_code == 403 and "物业服务企业" in response.content.decode()
    assert client.get(f"/reporting/enterprise-reports/{report.pk}/").status_code == 404
    assert client.get("/reporting/enterprise-review/").status_code == 403
    # the county group reviews; a town user of the county cannot
    with pytest.raises(PermissionDenied):
        services.report_review(user=other_town_user, report_kind="enterprise", report_id=report.pk, action="accept")
    with pytest.raises(NotFound):
        services.report_review(
            report_kind="enterprise",
            user=UserFactory(username="district", role=Role.COUNTY_GROUP, region=ledger["tunxi"].estate.community.parent.parent),
            report_id=report.pk, action="accept",
        )
    services.report_review(user=county_user, report_kind="enterprise", report_id=report.pk, action="accept")


def test_the_snapshot_does_not_change_when_a_case_changes_afterwards(enterprise_user, ledger):
    report = services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), **NARRATIVE)
    frozen = report.snapshot["estates"]
    Case.objects.filter(pk=ledger["haiyang_open"].pk).update(state="closed", closed_at=timezone.now())
    Case.objects.filter(pk=ledger["haiyang_overdue"].pk).update(deadline=date(2099, 1, 1))
    report.refresh_from_db()
    assert report.snapshot["estates"] == frozen
    assert figures_by_estate(report)["海阳花园"]["closed"] == 1
    live = {e["name"]: e["figures"] for e in services.enterprise_live_figures(
        enterprise_id=report.enterprise_id, county=report.county, period=periods.parse_month(this_month()))}
    assert live["海阳花园"]["closed"] == 2 and live["城北佳苑"]["overdue"] == 0
    with pytest.raises(InvalidState):  # submitted: no more edits
        services.enterprise_report_save(user=enterprise_user, period=periods.parse_month(this_month()), progress="改")


def test_late_enterprises_are_listed_after_the_20th(tree, enterprise_user, estates):
    june = periods.parse_month("2025-06")
    with time_machine.travel(date(2025, 6, 19), tick=False):
        services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month("2025-06"), **NARRATIVE)
    rows = selectors.enterprise_status_list(county=tree["county"], period=june, today=date(2025, 6, 18))
    assert {r.enterprise.name for r in rows} == {"海阳物业公司", "万安物业公司"}
    assert rows[0].due == date(2025, 6, 20)
    assert {r.enterprise.name for r in rows if r.needs_reminder} == {"万安物业公司"}
    assert selectors.late_enterprises(county=tree["county"], period=june, today=date(2025, 6, 20)) == []
    late = selectors.late_enterprises(county=tree["county"], period=june, today=date(2025, 6, 21))
    assert [r.enterprise.name for r in late] == ["万安物业公司"] and late[0].days_late == 1


def test_late_page_after_the_20th(client, office_user, enterprise_user, estates):
    login(client, office_user)
    with time_machine.travel(datetime(2025, 6, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        text = client.get("/reporting/enterprise-review/?period=2025-06").content.decode()
    assert 'data-testid="late-alert"' in text and "逾期未报送 2 家企业" in text


def test_reminders_at_the_lead_time_and_the_late_notice_once(tree, enterprise_user, other_enterprise_user,
                                                             office_user):
    with time_machine.travel(date(2025, 6, 10), tick=False):
        services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month("2025-06"), **NARRATIVE)
    with time_machine.travel(date(2025, 6, 17), tick=False):  # the 20th minus 3 days of lead time
        assert services.enterprise_report_reminders_send() == 1
        assert services.enterprise_report_reminders_send() == 0  # twice the same day: once
    assert other_enterprise_user.notifications.get().title == "请于06月20日前向休宁县报送2025年6月整改进度"
    assert not enterprise_user.notifications.exists()
    with time_machine.travel(date(2025, 6, 21), tick=False):
        services.enterprise_report_reminders_send()
        services.enterprise_report_reminders_send()
    notice = office_user.notifications.get()
    assert "逾期未报送" in notice.title and "万安物业公司" in notice.title and "海阳物业公司" not in notice.title


def test_return_needs_a_reason_and_the_enterprise_resubmits(client, enterprise_user, office_user, ledger):
    report = services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), **NARRATIVE)
    with pytest.raises(InvalidState, match="退回原因"):
        services.report_review(user=office_user, report_kind="enterprise", report_id=report.pk, action="return", note="  ")
    login(client, office_user)
    response = client.post(f"/reporting/enterprise-reports/{report.pk}/review/", {"action": "return", "reason": ""})
    assert response.status_code == 409 and "退回原因" in response.content.decode()
    response = client.post(f"/reporting/enterprise-reports/{report.pk}/review/", {"action": "return", "reason": "请补充整改照片"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == UnitReportStatus.RETURNED and report.return_reason == "请补充整改照片"
    assert enterprise_user.notifications.filter(title__contains="退回").exists()
    report = services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), progress="已补充")
    assert report.status == UnitReportStatus.SUBMITTED and report.return_reason == ""
    assert [e.to_state for e in report.events.all()] == ["submitted", "returned", "submitted"]


def test_progress_is_required_to_submit(enterprise_user, estates):
    with pytest.raises(InvalidState, match="整改进度和成效"):
        services.enterprise_report_submit(user=enterprise_user, period=periods.parse_month(this_month()), progress="")


def _add_enterprises(tree, start, stop):
    duty = selectors.enterprise_duty(tree["county"])
    for n in range(start, stop):
        enterprise = EnterpriseFactory(name=f"批量物业{n:02d}")
        EstateFactory(name=f"批量小区{n:02d}", community=tree["xiuyang"], enterprise=enterprise)
        if n % 2:
            EnterpriseReport.objects.create(duty=duty, enterprise=enterprise, county=tree["county"], period="2025-06",
                                            status=UnitReportStatus.SUBMITTED, progress="进展", submitted_at=timezone.now())


def _review_queries(client, count):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reporting/enterprise-review/?period=2025-06")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="enterprise-row"') == count
    return len(queries)


def test_review_query_count_does_not_grow_with_enterprises(client, office_user, tree):
    login(client, office_user)
    _add_enterprises(tree, 0, 5)
    five = _review_queries(client, 5)
    _add_enterprises(tree, 5, 50)
    fifty = _review_queries(client, 50)
    assert five == fifty <= 8, (five, fifty)  # measured: 8 for 5 and for 50 enterprises


def test_bad_period_is_a_400_in_chinese(client, enterprise_user, office_user, estates):
    login(client, enterprise_user)
    response = client.get("/reporting/enterprise/?period=2025-13")
    assert response.status_code == 400 and "报告期" in response.content.decode()
    response = client.post("/reporting/enterprise/", {"period": "2025-13", "progress": "x", "action": "submit"})
    assert response.status_code == 400 and "报告期" in response.content.decode()
    login(client, office_user)
    response = client.get("/reporting/enterprise-review/?period=2025-13")
    assert response.status_code == 400 and "报告期" in response.content.decode()
