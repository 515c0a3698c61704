"""Reporting (信息报送): the duties as data (who reports what to whom by which day), the units'
monthly reports with their frozen figures, and the stored, versioned county workbooks."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import files
from core.audit import Event
from core.scoping import ScopedQuerySet

from . import periods


class PeriodKind(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"


class Reporter(models.TextChoices):
    """Who reports (填报单位)."""

    COMMUNITY = "community", "社区"
    TOWN = "town", "镇/街道"
    ENTERPRISE = "enterprise", "物业服务企业"
    COUNTY = "county", "县专班"


class Receiver(models.TextChoices):
    """To whom (报送对象)."""

    COUNTY_OFFICE = "county_office", "县专班办公室"
    COUNTY_GROUP = "county_group", "县专班"
    CITY_BUREAU = "city_bureau", "市住建局"


class ReportKind(models.TextChoices):
    """What a county builds as a file (StoredReport.kind)."""

    COUNTY_MONTHLY = "county_monthly", "月度汇总报表（报市住建局）"
    STATISTICS = "statistics", "排查整治情况统计表及典型案例"
    QUARTERLY = "quarterly", "季度工作总结"
    WEEKLY = "weekly", "每周调度情况"


class ReportingDutyQuerySet(models.QuerySet):
    def for_county(self, county):
        """The duties that apply to a county: its own rows, and the general rows (no region) it has
        not replaced with its own row of the same code."""
        own = self.filter(region=county)
        return self.filter(Q(region=county) | Q(region__isnull=True) & ~Q(code__in=own.values("code")))


class ReportingDuty(models.Model):
    """报送要求: one reporting duty of a plan, as data. `due_day` is a day of the month (or of the
    week for weekly duties, 1 = Monday); a day past the month's end means its last day.
    `due_month_offset` moves the due date after the period (the quarterly summary is due on the
    5th of the quarter that follows)."""

    code = models.SlugField("编码", max_length=50)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        "communities.Region", verbose_name="适用县（区）", on_delete=models.CASCADE, null=True, blank=True,
        related_name="reporting_duties", help_text="留空表示适用于所有县（区）；县（区）可另建同编码的一行覆盖。",
    )
    reporter = models.CharField("填报单位", max_length=20, choices=Reporter.choices)
    receiver = models.CharField("报送对象", max_length=20, choices=Receiver.choices)
    period_kind = models.CharField("报送周期", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    due_day = models.PositiveSmallIntegerField("截止日", help_text="每月几日前（超过当月天数按月末）；每周报送为星期几（1=周一）")
    due_month_offset = models.PositiveSmallIntegerField("截止月份顺延", default=0, help_text="0 = 报告期当月；1 = 报告期结束后的下一个月")
    reminder_lead_days = models.PositiveSmallIntegerField("提前提醒天数", default=3)
    report_kind = models.CharField(
        "生成报表", max_length=20, choices=ReportKind.choices, blank=True, help_text="县级报送时自动生成的报表类型"
    )
    content = models.TextField("报送内容", blank=True)
    recipients = models.TextField("接收邮箱", blank=True, help_text="每行一个电子邮箱；配置了邮件服务器时随附报表发送")
    seed_plan = models.CharField("出自方案", max_length=20, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ReportingDutyQuerySet.as_manager()

    class Meta:
        verbose_name = "报送要求"
        verbose_name_plural = "报送要求（报送时间表）"
        ordering = ["period_kind", "due_day", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "region"], name="reporting_duty_code_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="reporting_duty_code_general"
            ),
            models.CheckConstraint(
                name="reporting_duty_due_day_range",
                condition=Q(due_day__gte=1, due_day__lte=31),
                violation_error_message="截止日应在 1–31 之间。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def recipient_emails(self) -> list[str]:
        return [line.strip() for line in self.recipients.replace(",", "\n").splitlines() if "@" in line]

    def period(self, key: str) -> periods.Period:
        return periods.parse_period(key, self.period_kind)

    def current_period(self, today: date | None = None) -> periods.Period:
        return periods.period_containing(self.period_kind, today or timezone.localdate())

    def due_date(self, period: periods.Period | str) -> date:
        if isinstance(period, str):
            period = self.period(period)
        if self.period_kind == PeriodKind.WEEK:
            return period.start + timedelta(days=min(self.due_day, 7) - 1 + 7 * self.due_month_offset)
        year, month = periods.add_months(period.end.year, period.end.month, self.due_month_offset)
        return periods.clamped_date(year, month, self.due_day)

    def period_due_on(self, day: date) -> periods.Period | None:
        """The period whose due date is `day`, if any (the daily job's question)."""
        if self.period_kind == PeriodKind.WEEK:
            candidate = periods.period_containing("week", day - timedelta(days=7 * self.due_month_offset))
        else:
            year, month = periods.add_months(day.year, day.month, -self.due_month_offset)
            candidate = periods.period_containing(self.period_kind, date(year, month, 1))
            if self.period_kind == PeriodKind.QUARTER and candidate.end.month != month:
                return None
        return candidate if self.due_date(candidate) == day else None


class UnitReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    ACCEPTED = "accepted", "已采纳"
    RETURNED = "returned", "已退回"


class UnitReportQuerySet(ScopedQuerySet):
    region_path_lookup = "unit__path"


class SubmittedReport(models.Model):
    """What a unit's and an enterprise's monthly report share: the figures frozen on submit, and
    who submitted and reviewed it when (the review itself lives in reporting.services)."""

    snapshot = models.JSONField("报送时数据（冻结）", default=dict, blank=True, editable=False)
    return_reason = models.TextField("退回原因", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class UnitReport(SubmittedReport):
    """镇/社区月度工作进展报送: the figures are pre-filled from the data; on submission they are
    frozen into `snapshot` so later changes to cases do not change what the unit reported."""

    duty = models.ForeignKey(ReportingDuty, verbose_name="报送要求", on_delete=models.PROTECT, related_name="unit_reports")
    unit = models.ForeignKey("communities.Region", verbose_name="报送单位", on_delete=models.PROTECT, related_name="unit_reports")
    period = models.CharField("报告期", max_length=10, help_text="YYYY-MM")
    status = models.CharField("状态", max_length=20, choices=UnitReportStatus.choices, default=UnitReportStatus.DRAFT)
    progress = models.TextField("工作进展", blank=True)
    good_practice = models.TextField("经验做法", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)

    objects = UnitReportQuerySet.as_manager()

    class Meta:
        verbose_name = "单位月度报送"
        verbose_name_plural = "单位月度报送"
        ordering = ["period", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "unit", "period"], name="unit_report_one_per_period"),
        ]

    def __str__(self):
        return f"{self.unit} {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in (UnitReportStatus.DRAFT, UnitReportStatus.RETURNED)


class StoredReportStatus(models.TextChoices):
    BUILDING = "building", "生成中"
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class StoredReportQuerySet(ScopedQuerySet):
    region_path_lookup = "region__path"

    def offered(self):
        """Only complete files are ever offered for download."""
        return self.filter(status=StoredReportStatus.READY)


def private_root() -> str:
    return files.private_storage.location


# Workbooks are in the one private store (core.files), delivered by the scoped view and API action.
ReportStorage = files.PrivateStorage
report_storage = files.private_storage


def _report_path(instance, filename):
    return f"reporting/{instance.region.code}/{instance.period}/{filename}"


class StoredReport(models.Model):
    """A built workbook of one county, period and kind, versioned: a rebuild makes version N+1 and
    never overwrites. The row is the run record (started, finished, rows, errors)."""

    region = models.ForeignKey("communities.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="stored_reports")
    period = models.CharField("报告期", max_length=10)
    kind = models.CharField("报表类型", max_length=20, choices=ReportKind.choices, default=ReportKind.COUNTY_MONTHLY)
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=10, choices=StoredReportStatus.choices, default=StoredReportStatus.BUILDING)
    file = models.FileField("文件", upload_to=_report_path, storage=report_storage, max_length=300, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    data_as_of = models.DateTimeField("数据截至", null=True, blank=True)
    rows = models.PositiveIntegerField("台账行数", default=0)
    errors = models.TextField("错误信息", blank=True)
    trigger = models.CharField("触发方式", max_length=20, default="schedule")
    job_id = models.CharField("任务ID", max_length=64, blank=True, help_text="生成它的 Celery 任务；同一任务重投时据此接管")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivered_at = models.DateTimeField("报送时间", null=True, blank=True)
    delivered_to = models.TextField("报送对象", blank=True)

    objects = StoredReportQuerySet.as_manager()

    class Meta:
        verbose_name = "报表文件"
        verbose_name_plural = "报表文件（各版本）"
        ordering = ["-period", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period", "kind", "version"], name="stored_report_version_unique"),
        ]

    def __str__(self):
        return f"{self.region} {self.period} {self.get_kind_display()} 第{self.version}版"

    @property
    def trigger_label(self) -> str:
        return {"schedule": "定时任务", "manual": "页面生成", "command": "命令行"}.get(self.trigger, self.trigger)

    @property
    def filename(self) -> str:
        return f"{self.region.name}{self.period}{self.get_kind_display().split('（')[0]}_第{self.version}版.xlsx"


class EnterpriseReportQuerySet(ScopedQuerySet):
    region_path_lookup = "county__path"
    enterprise_lookup = "enterprise_id"


class EnterpriseReport(SubmittedReport):
    """物业服务企业月度整改进度报送 (钟山 plan: by the 20th, to the county working group): one
    enterprise's progress on its estates in one county. As with a unit report, the per-estate
    figures are frozen into `snapshot` on submission."""

    duty = models.ForeignKey(
        ReportingDuty, verbose_name="报送要求", on_delete=models.PROTECT, related_name="enterprise_reports"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="物业服务企业", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    county = models.ForeignKey(
        "communities.Region", verbose_name="报送县（区）", on_delete=models.PROTECT, related_name="enterprise_reports"
    )
    period = models.CharField("报告期", max_length=10, help_text="YYYY-MM")
    status = models.CharField("状态", max_length=20, choices=UnitReportStatus.choices, default=UnitReportStatus.DRAFT)
    progress = models.TextField("整改进度和成效", blank=True)
    problems = models.TextField("存在问题及下步打算", blank=True)

    objects = EnterpriseReportQuerySet.as_manager()

    class Meta:
        verbose_name = "企业月度整改进度报送"
        verbose_name_plural = "企业月度整改进度报送"
        ordering = ["period", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "county", "period"], name="enterprise_report_one_per_period"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.county} {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in (UnitReportStatus.DRAFT, UnitReportStatus.RETURNED)


class ReportEventKind(models.TextChoices):
    SAVE = "save", "保存草稿"
    SUBMIT = "submit", "报送"
    ACCEPT = "accept", "采纳"
    RETURN = "return", "退回"


class ReportEvent(Event):
    """One step (save a draft, submit, accept, return) of a unit's or an enterprise's monthly report: exactly one
    of `unit_report` and `enterprise_report` is set. Written only by reporting.services."""

    unit_report = models.ForeignKey(
        UnitReport, verbose_name="单位报送", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    enterprise_report = models.ForeignKey(
        EnterpriseReport, verbose_name="企业报送", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField("类型", max_length=30, choices=ReportEventKind.choices)
    from_state = models.CharField("原状态", max_length=30, choices=UnitReportStatus.choices, blank=True)
    to_state = models.CharField("新状态", max_length=30, choices=UnitReportStatus.choices)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="report_event_one_report",
                condition=Q(unit_report__isnull=False, enterprise_report__isnull=True)
                | Q(unit_report__isnull=True, enterprise_report__isnull=False),
                violation_error_message="报送记录须且只能属于一份报送。",
            )
        ]

    @property
    def report(self):
        return self.unit_report or self.enterprise_report

    def __str__(self):
        return f"{self.unit_report_id or self.enterprise_report_id} {self.get_to_state_display()}"


# ---------------------------------------------------------------------------------------------
# 挂图作战: the monthly summary behind the 12-month trend


class CaseMonthlySummary(models.Model):
    """One summarised past month: when its CaseMonthlyFigure rows were (re)built. A month without
    a row here has never been summarised, and the dashboard counts it live instead."""

    month = models.DateField("月份", unique=True, help_text="当月1日")
    built_at = models.DateTimeField("汇总时间")
    figures = models.PositiveIntegerField("镇（街道）行数", default=0)
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)

    class Meta:
        verbose_name = "月度汇总批次"
        verbose_name_plural = "月度汇总批次（挂图作战）"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class CaseMonthlyFigure(models.Model):
    """One town's figures of one past month (clues received, cases closed), rebuilt nightly by
    reporting.tasks.build_case_monthly_figures so that the dashboard of a province or a city does
    not count millions of clues on every page view. The current month is always counted live."""

    month = models.DateField("月份", help_text="当月1日")
    region = models.ForeignKey(
        "communities.Region", verbose_name="镇（街道）", on_delete=models.CASCADE, related_name="monthly_figures"
    )
    clues_received = models.PositiveIntegerField("收到线索", default=0)
    cases_closed = models.PositiveIntegerField("销号案件", default=0)

    class Meta:
        verbose_name = "镇（街道）月度数据"
        verbose_name_plural = "镇（街道）月度数据（挂图作战汇总）"
        ordering = ["-month", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="case_monthly_figure_month_region"),
        ]

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m}"
