"""Stored, versioned county workbooks: idempotent per day, forced rebuild, crash safety, delivery."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core import mail
from openpyxl import load_workbook

from accounts.models import Role
from reporting import workbook
from reporting.builds import stored_report_build
from reporting.models import ReportingDuty, StoredReport, StoredReportStatus
from reporting.tasks import build_due_county_reports
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def this_month():
    from django.utils import timezone

    return timezone.localdate().strftime("%Y-%m")


def test_twice_the_same_day_is_one_version_and_forced_is_version_2(tree, ledger):
    first, built = stored_report_build(region_id=tree["county"].pk, period=this_month())
    assert built and first.version == 1 and first.status == StoredReportStatus.READY
    again, built = stored_report_build(region_id=tree["county"].pk, period=this_month())
    assert not built and again.pk == first.pk
    assert StoredReport.objects.count() == 1
    forced, built = stored_report_build(region_id=tree["county"].pk, period=this_month(), force=True)
    assert built and forced.version == 2
    assert list(StoredReport.objects.offered().values_list("version", flat=True)) == [2, 1]
    # the run is recorded and the file opens
    assert forced.finished_at >= forced.started_at and forced.rows == 4 and forced.errors == ""
    with forced.file.open("rb") as fh:
        assert load_workbook(BytesIO(fh.read())).sheetnames == workbook.SHEET_NAMES


def test_a_crash_mid_build_leaves_nothing_offered(tree, ledger, monkeypatch, settings):
    written = []

    def crashing_writer(book, title, headers, rows, **kwargs):
        written.append(title)
        if title == "整改台账":
            next(iter(rows))  # half-way through the ledger
            raise OSError("磁盘已满")
        return workbook.write_sheet.__wrapped__(book, title, headers, rows, **kwargs)

    crashing_writer.__wrapped__ = workbook.write_sheet
    monkeypatch.setattr(workbook, "write_sheet", crashing_writer)
    with pytest.raises(OSError):
        stored_report_build(region_id=tree["county"].pk, period=this_month())
    assert written == ["统计表", "覆盖率目标", "整改台账"]
    report = StoredReport.objects.get()
    assert report.status == StoredReportStatus.FAILED and "磁盘已满" in report.errors
    assert not StoredReport.objects.offered().exists()
    assert not report.file
    stored = settings.PRIVATE_MEDIA_ROOT / "reporting" / "341022"
    assert not stored.exists() or not any(stored.rglob("*.xlsx"))
    assert not any((settings.PRIVATE_MEDIA_ROOT / "reporting" / "tmp").iterdir())
    # a later run the same day makes a complete version
    monkeypatch.setattr(workbook, "write_sheet", crashing_writer.__wrapped__)
    report, built = stored_report_build(region_id=tree["county"].pk, period=this_month())
    assert built and report.status == StoredReportStatus.READY and report.version == 2


def test_a_stale_building_row_is_not_offered_and_does_not_block(tree, ledger):
    from datetime import timedelta

    from django.utils import timezone

    StoredReport.objects.create(region=tree["county"], period=this_month(), version=1,
                                started_at=timezone.now() - timedelta(hours=3))  # worker died mid-run
    assert not StoredReport.objects.offered().exists()
    report, built = stored_report_build(region_id=tree["county"].pk, period=this_month())
    assert built and report.version == 2
    assert StoredReport.objects.get(version=1).status == StoredReportStatus.FAILED


@time_machine.travel("2025-06-30 06:00 +0800", tick=False)
def test_daily_job_builds_on_the_30th_and_mails_the_workbook(tree, ledger, county_user, settings):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    city = UserFactory(username="city-b", role=Role.CITY, region=tree["city"], email="city@example.gov.cn")
    ReportingDuty.objects.filter(code="county-monthly").update(recipients="zjj@example.gov.cn")
    build_due_county_reports.delay()
    report = StoredReport.objects.get()
    assert (report.region, report.period, report.version) == (tree["county"], "2025-06", 1)
    assert report.delivered_at is not None
    attached = [m for m in mail.outbox if m.attachments]
    assert len(attached) == 1 and set(attached[0].to) == {"zjj@example.gov.cn", "city@example.gov.cn"}
    name, content, mimetype = attached[0].attachments[0]
    assert name.endswith(".xlsx") and load_workbook(BytesIO(content)).sheetnames == workbook.SHEET_NAMES
    assert city.notifications.count() == 1
    # the job runs again the same day: no new version, no second mail
    build_due_county_reports.delay()
    assert StoredReport.objects.count() == 1
    assert len([m for m in mail.outbox if m.attachments]) == 1


@pytest.mark.parametrize(("today", "due"), [("2025-06-29", False), ("2025-02-28", True), ("2024-02-29", True),
                                            ("2024-02-28", False), ("2025-07-30", True), ("2025-07-31", True),
                                            ("2025-08-03", False)])
def test_daily_job_decides_the_due_day_in_code(tree, county_user, today, due):
    with time_machine.travel(date.fromisoformat(today), tick=False):
        assert bool(build_due_county_reports.delay().get()) is due


def test_the_quarterly_summary_uses_the_same_mechanism(tree, ledger, county_user):
    # a county following the 盘锦 plan switches the quarterly summary on
    ReportingDuty.objects.filter(code="county-monthly").update(is_active=False)
    ReportingDuty.objects.filter(code="county-quarterly").update(is_active=True)
    with time_machine.travel(date(2025, 7, 5), tick=False):
        build_due_county_reports.delay()
    report = StoredReport.objects.get()
    assert (report.kind, report.period, report.status) == ("quarterly", "2025-Q2", StoredReportStatus.READY)
    with report.file.open("rb") as fh:
        explanation = dict(load_workbook(BytesIO(fh.read()))["说明"].iter_rows(values_only=True))
    assert explanation["报告期"] == "2025年第2季度（2025-Q2）"


def test_a_redelivered_task_takes_over_its_own_dead_run(tree, ledger):
    from django.utils import timezone

    # a worker died mid-build a minute ago; the broker redelivers the same task (acks_late)
    StoredReport.objects.create(region=tree["county"], period=this_month(), version=1, job_id="task-1",
                                started_at=timezone.now())
    other, built = stored_report_build(region_id=tree["county"].pk, period=this_month(), job_id="task-2")
    assert not built and other.version == 1  # another task's run is still in progress
    report, built = stored_report_build(region_id=tree["county"].pk, period=this_month(), job_id="task-1")
    assert built and report.version == 2 and report.status == StoredReportStatus.READY
    assert StoredReport.objects.get(version=1).status == StoredReportStatus.FAILED


def test_the_daily_job_catches_up_a_missed_due_day_once(tree, county_user):
    with time_machine.travel(date(2025, 7, 2), tick=False):  # the 30th passed while the system was down
        build_due_county_reports.delay()
        assert list(StoredReport.objects.values_list("period", "version")) == [("2025-06", 1)]
    with time_machine.travel(date(2025, 7, 3), tick=False):
        build_due_county_reports.delay()
    with time_machine.travel(date(2025, 7, 4), tick=False):  # beyond the catch-up window: nothing
        StoredReport.objects.all().delete()
        assert build_due_county_reports.delay().get() == []
    assert not StoredReport.objects.exists()


def test_a_failed_mail_is_sent_again_by_the_next_run(tree, ledger, settings, monkeypatch):
    from reporting.builds import stored_report_deliver

    settings.EMAIL_HOST = "smtp.example.gov.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    duty = ReportingDuty.objects.get(code="county-monthly", region__isnull=True)
    duty.recipients = "zjj@example.gov.cn"
    report, _ = stored_report_build(region_id=tree["county"].pk, period=this_month())

    def refuse(self, fail_silently=False):
        raise OSError("SMTP 连接失败")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(OSError):
            stored_report_deliver(report_id=report.pk, duty=duty)
    report.refresh_from_db()
    assert report.delivered_at is None
    assert stored_report_deliver(report_id=report.pk, duty=duty) is True
    assert stored_report_deliver(report_id=report.pk, duty=duty) is False
    assert len(mail.outbox) == 1
