"""`manage.py jobs_failed`: the background work that needs a person — import jobs (core.ImportJob)
that failed, or are still 排队中/处理中 longer than JOBS_STUCK_AFTER (their worker was lost), and
workbooks (reporting.StoredReport) whose build failed or never finished. There is no SMS outbox in
the product (replies by SMS are recorded by the staff who sent them), so nothing to list there.

Exits 1 when something is listed with --exit-code, so that a cron job or the monitoring can alert."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from core.models import ImportJob
from reporting.models import StoredReport, StoredReportStatus


class Command(BaseCommand):
    help = "列出失败或卡住的后台任务（导入任务、报表生成）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="只看最近多少天提交的任务（默认 7）")
        parser.add_argument("--stuck-minutes", type=int, default=None,
                            help="排队或处理超过多少分钟算卡住（默认 JOBS_STUCK_AFTER）")
        parser.add_argument("--exit-code", action="store_true", help="有失败或卡住的任务时以状态 1 退出")

    def handle(self, *args, days, stuck_minutes, exit_code, **options):
        now = timezone.now()
        since = now - timedelta(days=days)
        stuck_after = timedelta(minutes=stuck_minutes) if stuck_minutes is not None else timedelta(
            seconds=settings.JOBS_STUCK_AFTER)
        stuck_before = now - stuck_after
        jobs = (ImportJob.objects.filter(created_at__gte=since)
                .filter(Q(state=ImportJob.State.FAILED)
                        | Q(state__in=(ImportJob.State.QUEUED, ImportJob.State.RUNNING), created_at__lt=stuck_before))
                .select_related("owner").order_by("created_at"))
        reports = (StoredReport.objects.filter(started_at__gte=since)
                   .filter(Q(status=StoredReportStatus.FAILED)
                           | Q(status=StoredReportStatus.BUILDING, started_at__lt=stuck_before))
                   .select_related("region").order_by("started_at"))
        found = 0
        for job in jobs:
            found += 1
            problem = "失败" if job.state == ImportJob.State.FAILED else f"卡住（{job.get_state_display()}）"
            when = timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"导入任务 #{job.pk}\t{problem}\t{job.kind}\t{job.file_name}\t提交人 {job.owner}\t"
                              f"{when}\t已处理 {job.rows_done}/{job.rows_total}\t{job.error_message}")
        for report in reports:
            found += 1
            problem = "失败" if report.status == StoredReportStatus.FAILED else "卡住（生成中）"
            when = timezone.localtime(report.started_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"报表 #{report.pk}\t{problem}\t{report.region.name} {report.period} "
                              f"第 {report.version} 版\t{when}\t{report.errors[:200]}")
        if not found:
            self.stdout.write(f"最近 {days} 天没有失败或卡住的后台任务。")
        else:
            self.stdout.write(f"共 {found} 项需要处理。")
        if found and exit_code:
            raise SystemExit(1)
