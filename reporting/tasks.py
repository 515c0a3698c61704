from celery import shared_task

from .builds import due_county_reports, stored_report_build, stored_report_deliver
from .dashboard import monthly_figures_build
from .models import ReportingDuty
from .periods import parse_month
from .services import enterprise_report_reminders_send, unit_report_reminders_send


@shared_task(name="reporting.tasks.build_due_county_reports", time_limit=30 * 60, soft_time_limit=25 * 60)
def build_due_county_reports() -> list[int]:
    """Daily (beat): reminds the units and enterprises whose report is coming due (and tells the
    county office who is late), then queues every county report whose due day is today — the 30th, or the month's last
    day when it is shorter; crontab cannot say that, so the due date is decided here — is queued.
    Safe to run twice: the build is idempotent per day and delivery is claimed once."""
    unit_report_reminders_send()
    enterprise_report_reminders_send()
    queued = []
    for duty, county, period in due_county_reports():
        build_county_report.delay(county.pk, period.key, duty.report_kind, duty.pk)
        queued.append(county.pk)
    return queued


@shared_task(name="reporting.tasks.build_county_report", bind=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def build_county_report(self, region_id: int, period: str, kind: str, duty_id: int | None = None,
                        force: bool = False) -> int:
    """Builds (or finds today's) version of one county report and delivers it. Returns its id.
    The task id lets a redelivered task (its worker died mid-build) take over its own run."""
    report, _built = stored_report_build(region_id=region_id, period=period, kind=kind, force=force,
                                         job_id=self.request.id or "")
    duty = ReportingDuty.objects.filter(pk=duty_id).first() if duty_id else None
    stored_report_deliver(report_id=report.pk, duty=duty)
    return report.pk


@shared_task(name="reporting.tasks.build_case_monthly_figures", time_limit=30 * 60, soft_time_limit=25 * 60)
def build_case_monthly_figures(months: list[str] | None = None) -> list[str]:
    """Nightly (beat, 03:00): rebuilds the 挂图作战 trend's summary of the past months (clues
    received and cases closed per town and month), so late changes to past months are picked up
    within a day. `months` ("YYYY-MM") rebuilds those months instead. Idempotent: each month's
    rows are replaced in one transaction. Returns the months built."""
    chosen = [parse_month(m).start for m in months] if months else None
    return [s.month.strftime("%Y-%m") for s in monthly_figures_build(chosen)]
