"""Building, storing and delivering the county workbooks (StoredReport).

Guarantees: a build is idempotent per day (a second run on the same day returns the version that
day already made, unless forced, which makes version N+1); the file is written to a temporary file
and the row becomes `ready` only after the stored file is complete, so a crash or a worker restart
mid-build leaves a `building`/`failed` row that is never offered; every run records started,
finished, rows and errors."""

import logging
import os
import tempfile
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from accounts.models import COUNTY_ROLES, Role
from accounts.regions import users_over
from communities.models import Region, RegionLevel
from core.errors import DomainError, NotFound
from core.notifications import notification_send
from core.xlsx import XLSX_CONTENT_TYPE

from . import periods
from .models import ReportingDuty, ReportKind, StoredReport, StoredReportStatus, _report_path, private_root
from .workbook import build_workbook

logger = logging.getLogger(__name__)

#: a `building` row older than this is a crashed run (the task hard limit is 30 minutes)
STALE_AFTER = timedelta(hours=1)
PERIOD_KIND_OF = {
    ReportKind.COUNTY_MONTHLY: "month", ReportKind.STATISTICS: "month", ReportKind.QUARTERLY: "quarter",
    ReportKind.WEEKLY: "week",
}


def county_get(code_or_pk) -> Region:
    lookup = {"pk": code_or_pk} if isinstance(code_or_pk, int) else {"code": str(code_or_pk).strip()}
    county = Region.objects.filter(level=RegionLevel.COUNTY, **lookup).first()
    if county is None:
        raise NotFound(f"行政区划“{code_or_pk}”不存在或不是县（区）。")
    return county


def stored_report_build(*, region_id: int, period: str, kind: str = ReportKind.COUNTY_MONTHLY, force: bool = False,
                        user=None, trigger: str = "schedule", job_id: str = "") -> tuple[StoredReport, bool]:
    """Builds (or, the same day, returns) the county's report. Returns (report, built_now).

    A `building` row of the same day belongs to a run in progress, unless it carries this run's
    own `job_id`: then this is the broker redelivering the task of a worker that died mid-build
    (acks_late), and the dead run's row is marked failed and a new version built."""
    if kind not in ReportKind.values:
        raise DomainError("报表类型不正确。")
    period_obj = periods.parse_period(period, PERIOD_KIND_OF[kind])
    now = timezone.now()
    today_start = datetime.combine(timezone.localdate(), time.min, timezone.get_current_timezone())
    with transaction.atomic():
        # one builder per county at a time: the county row is the lock
        county = Region.objects.select_for_update().filter(pk=region_id, level=RegionLevel.COUNTY).first()
        if county is None:
            raise NotFound("行政区划不存在或不是县（区）。")
        reports = StoredReport.objects.filter(region=county, period=period_obj.key, kind=kind)
        reports.filter(status=StoredReportStatus.BUILDING, started_at__lt=now - STALE_AFTER).update(
            status=StoredReportStatus.FAILED, finished_at=now, errors="生成中断（进程重启或超时），未提供下载。"
        )
        if job_id:
            reports.filter(status=StoredReportStatus.BUILDING, job_id=job_id).update(
                status=StoredReportStatus.FAILED, finished_at=now, errors="生成中断（进程重启），已由重投的任务重新生成。"
            )
        if not force:
            same_day = (
                reports.filter(started_at__gte=today_start, status__in=[StoredReportStatus.READY, StoredReportStatus.BUILDING])
                .order_by("-version")
                .first()
            )
            if same_day is not None:
                return same_day, False
        latest = reports.order_by("-version").values_list("version", flat=True).first() or 0
        report = StoredReport.objects.create(
            region=county, period=period_obj.key, kind=kind, version=latest + 1, started_at=now,
            trigger=trigger, created_by=user, job_id=job_id or "",
        )
    _build_file(report, county, period_obj)
    report.refresh_from_db()
    return report, True


def _build_file(report: StoredReport, county: Region, period_obj: periods.Period) -> None:
    # the temporary file lives next to the stored reports, so the final copy stays on one disk
    tmp_dir = os.path.join(private_root(), "reporting", "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    handle, tmp_path = tempfile.mkstemp(prefix="build-", suffix=".xlsx", dir=tmp_dir)
    os.close(handle)
    stored_name = ""
    try:
        stats = build_workbook(county=county, period=period_obj, target=tmp_path, version=report.version,
                               data_as_of=report.started_at)
        with open(tmp_path, "rb") as fh:
            stored_name = report.file.storage.save(_report_path(report, f"v{report.version}.xlsx"), File(fh))
        size = os.path.getsize(tmp_path)
        # publish: only the row still `building` becomes ready (a stale-marked run stays failed)
        published = StoredReport.objects.filter(pk=report.pk, status=StoredReportStatus.BUILDING).update(
            status=StoredReportStatus.READY, file=stored_name, size=size, finished_at=timezone.now(),
            rows=stats["rows"], data_as_of=report.started_at,
        )
        if not published:
            report.file.storage.delete(stored_name)
    except Exception as exc:
        logger.exception("building report %s failed", report.pk)
        if stored_name:
            report.file.storage.delete(stored_name)
        StoredReport.objects.filter(pk=report.pk).update(
            status=StoredReportStatus.FAILED, finished_at=timezone.now(), errors=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


def stored_report_deliver(*, report_id: int, duty: ReportingDuty | None = None) -> bool:
    """Delivers a ready report once: e-mail with the workbook attached to the duty's recipients
    (when an SMTP host is configured) and an in-product notice to the city bureau's users.
    Returns False when it was already delivered."""
    report = StoredReport.objects.select_related("region").filter(pk=report_id, status=StoredReportStatus.READY).first()
    if report is None:
        return False
    emails = duty.recipient_emails if duty else []
    city_users = list(users_over(report.region.path, roles=[Role.CITY]))
    delivered_to = sorted({*emails, *(u.email for u in city_users if u.email)})
    claimed = StoredReport.objects.filter(pk=report.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now(), delivered_to="\n".join(delivered_to) or "市住建局（系统内下载）"
    )
    if not claimed:
        return False
    title = f"{report.region.name}{report.period}{report.get_kind_display()}（第{report.version}版）"
    notification_send(users=city_users, title=f"已报送：{title}", url="/reporting/reports/")
    if settings.EMAIL_HOST and delivered_to:
        message = EmailMessage(
            subject=title, body=f"{title}已生成，详见附件。\n\n本邮件由物业服务专项整治案件管理系统自动发送。",
            from_email=settings.DEFAULT_FROM_EMAIL, to=delivered_to,
        )
        try:
            with report.file.open("rb") as fh:
                message.attach(report.filename, fh.read(), XLSX_CONTENT_TYPE)
            message.send(fail_silently=False)
        except Exception:
            # release the claim so that the next run of the job sends it again
            StoredReport.objects.filter(pk=report.pk).update(delivered_at=None, delivered_to="")
            logger.exception("mailing report %s failed", report.pk)
            raise
    return True


def active_counties() -> list[Region]:
    """The counties using the product: those with an active county-level account."""
    return list(
        Region.objects.filter(level=RegionLevel.COUNTY, users__role__in=COUNTY_ROLES, users__is_active=True)
        .distinct().order_by("code")
    )


#: a report whose due day passed while the system was down (or whose build failed) is caught up
#: by the daily job for this many days after its due day
CATCH_UP_DAYS = 3


def due_county_reports(today=None) -> list[tuple[ReportingDuty, Region, periods.Period]]:
    """(duty, county, period) for every county report due today, and for those due in the last
    CATCH_UP_DAYS days that still have no complete version. Counties are those with an active
    county-level account (the ones using the product)."""
    today = today or timezone.localdate()
    due = []
    for county in active_counties():
        for duty in ReportingDuty.objects.for_county(county).filter(is_active=True, reporter="county").exclude(report_kind=""):
            for days_ago in range(CATCH_UP_DAYS, -1, -1):
                period = duty.period_due_on(today - timedelta(days=days_ago))
                if period is None:
                    continue
                if days_ago and StoredReport.objects.offered().filter(
                    region=county, period=period.key, kind=duty.report_kind
                ).exists():
                    continue
                due.append((duty, county, period))
    return due
