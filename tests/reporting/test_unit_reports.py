"""A unit's monthly report: pre-filled, submitted with frozen figures, accepted or returned."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidState, PermissionDenied
from rectification.models import Case
from reporting import periods, selectors, services
from reporting.models import UnitReportStatus

pytestmark = pytest.mark.django_db


def this_month():
    return timezone.localdate().strftime("%Y-%m")


NARRATIVE = {"progress": "完成辖区小区全覆盖排查", "good_practice": "网格员每日巡查", "problems": "", "next_steps": "督促整改"}


def test_the_snapshot_does_not_change_when_a_case_changes_afterwards(town_user, ledger):
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    frozen = report.snapshot["figures"]
    assert frozen["rectifying"] == 2 and frozen["overdue"] == 1 and frozen["closed"] == 1
    assert report.snapshot["labels"]["rectifying"] == "整改中"
    # later the open case is closed and the overdue one gets a new deadline
    Case.objects.filter(pk=ledger["haiyang_open"].pk).update(state="closed", closed_at=timezone.now())
    Case.objects.filter(pk=ledger["haiyang_overdue"].pk).update(deadline=date(2099, 1, 1))
    report.refresh_from_db()
    assert report.snapshot["figures"] == frozen
    live = services.live_figures(report)
    assert (live["rectifying"], live["overdue"], live["closed"]) == (1, 0, 2)


def test_a_submitted_report_cannot_be_edited_and_returned_one_can(town_user, office_user, ledger):
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    with pytest.raises(InvalidState):
        services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), progress="改")
    with pytest.raises(InvalidState, match="退回原因"):
        services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="return", note=" ")
    services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="return", note="缺少经验做法的具体事例")
    assert town_user.notifications.filter(title__contains="退回").exists()
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), good_practice="具体事例", submit=True)
    assert report.status == UnitReportStatus.SUBMITTED and report.return_reason == ""
    report = services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="accept")
    assert report.status == UnitReportStatus.ACCEPTED
    assert [e.to_state for e in report.events.all()] == ["submitted", "returned", "submitted", "accepted"]


def test_only_the_units_own_officer_submits_and_only_the_county_reviews(town_user, other_town_user, community_user,
                                                                     county_user, city_user, ledger):
    report = services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), **NARRATIVE, submit=True)
    with pytest.raises(PermissionDenied):
        services.unit_report_save(user=county_user, period=periods.parse_month(this_month()), **NARRATIVE)
    for user in (other_town_user, community_user, city_user):
        with pytest.raises(PermissionDenied):
            services.report_review(user=user, report_kind="unit", report_id=report.pk, action="accept")
    services.report_review(user=county_user, report_kind="unit", report_id=report.pk, action="accept")


def test_progress_is_required_to_submit(town_user):
    with pytest.raises(InvalidState, match="工作进展"):
        services.unit_report_save(user=town_user, period=periods.parse_month(this_month()), progress="", submit=True)


def test_a_late_unit_is_listed_and_reminders_start_at_the_lead_time(tree, town_user, community_user):
    june = periods.parse_month("2025-06")
    with time_machine.travel(date(2025, 6, 20), tick=False):
        services.unit_report_save(user=town_user, period=periods.parse_month("2025-06"), **NARRATIVE, submit=True)
    # the 24th: lead time (3 days) before the 27th — units not submitted get a reminder, none late yet
    rows = selectors.unit_status_list(county=tree["county"], period=june, today=date(2025, 6, 24))
    assert {r.unit.name for r in rows if r.needs_reminder} == {"万安镇", "秀阳社区", "城北社区", "万安社区"}
    assert selectors.late_units(county=tree["county"], period=june, today=date(2025, 6, 27)) == []
    late = selectors.late_units(county=tree["county"], period=june, today=date(2025, 6, 28))
    assert {r.unit.name for r in late} == {"万安镇", "秀阳社区", "城北社区", "万安社区"}
    assert "海阳镇" not in {r.unit.name for r in late}
    assert "昱中街道" not in {r.unit.name for r in rows}  # another county's town
    assert late[0].days_late == 1


def test_a_returned_report_counts_as_not_submitted(tree, town_user, office_user):
    with time_machine.travel(date(2025, 6, 20), tick=False):
        report = services.unit_report_save(user=town_user, period=periods.parse_month("2025-06"), **NARRATIVE, submit=True)
        services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="return", note="数据有误")
    late = selectors.late_units(county=tree["county"], period=periods.parse_month("2025-06"), today=date(2025, 6, 30))
    assert "海阳镇" in {r.unit.name for r in late}


def test_the_tally_of_a_city_counts_as_the_county_lists_do(tree, town_user, office_user):
    """unit_status_tally (a city's or a province's dashboard, no model instances) gives what the
    county lists give, county by county, on either side of the due day."""
    from reporting.models import ReportingDuty

    june = periods.parse_month("2025-06")
    with time_machine.travel(date(2025, 6, 20), tick=False):
        report = services.unit_report_save(user=town_user, period=periods.parse_month("2025-06"), **NARRATIVE, submit=True)
    # 屯溪区 has its own town duty, due earlier (the 10th) than the general one (the 27th)
    general = ReportingDuty.objects.get(region__isnull=True, reporter="town", period_kind="month")
    ReportingDuty.objects.create(**{f.name: getattr(general, f.name) for f in ReportingDuty._meta.fields
                                    if f.name not in ("id", "region", "due_day")}, region=tree["district"], due_day=10)
    for today in (date(2025, 6, 20), date(2025, 6, 28)):
        expected = {}
        for county in (tree["county"], tree["district"]):
            for row in selectors.unit_status_list(county=county, period=june, today=today):
                key = "逾期未报" if row.is_late else row.status_label
                expected[key] = expected.get(key, 0) + 1
        per_county, due = selectors.unit_status_tally(within=tree["city"], period=june, today=today)
        assert set(per_county) == {tree["county"].path, tree["district"].path}
        tally = {k: sum(t[k] for t in per_county.values()) for k in selectors.TALLY_KEYS}
        assert {k: v for k, v in tally.items() if v} == expected, today
        assert due == date(2025, 6, 10)
    assert per_county[tree["county"].path] == {"已采纳": 0, "已报送": 1, "已退回": 0, "未报送": 0, "逾期未报": 4}
    assert per_county[tree["district"].path] == {"已采纳": 0, "已报送": 0, "已退回": 0, "未报送": 0, "逾期未报": 2}
    on_the_20th = selectors.unit_status_tally(within=tree["city"], period=june, today=date(2025, 6, 20))[0]
    assert on_the_20th[tree["district"].path]["逾期未报"] == 1 and on_the_20th[tree["county"].path]["逾期未报"] == 0
    services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="accept")
    assert selectors.unit_status_tally(within=tree["city"], period=june, today=date(2025, 6, 28))[0][tree["county"].path]["已采纳"] == 1


def test_a_future_month_cannot_be_reported(town_user):
    with pytest.raises(InvalidState):
        services.unit_report_save(user=town_user, period=periods.parse_month("2099-01"), **NARRATIVE)


def test_reminders_at_the_lead_time_and_the_late_notice_once(tree, town_user, other_town_user, office_user, county_user):
    with time_machine.travel(date(2025, 6, 20), tick=False):
        services.unit_report_save(user=town_user, period=periods.parse_month("2025-06"), **NARRATIVE, submit=True)
    with time_machine.travel(date(2025, 6, 24), tick=False):  # 27th minus 3 days of lead time
        assert services.unit_report_reminders_send() == 1
        assert services.unit_report_reminders_send() == 0  # twice the same day: once
    assert other_town_user.notifications.get().title == "请于06月27日前报送2025年6月工作进展（万安镇）"
    assert not town_user.notifications.exists()
    with time_machine.travel(date(2025, 6, 28), tick=False):
        services.unit_report_reminders_send()
        services.unit_report_reminders_send()
    notice = office_user.notifications.get()
    assert "逾期未报送" in notice.title and "万安镇" in notice.title and "海阳镇" not in notice.title
