"""Cross-app models: the work calendar (工作日历), in-product notifications (站内通知) and import
jobs (导入任务)."""

from django.conf import settings
from django.db import models

from .files import private_file_field


class CalendarDay(models.Model):
    """One exception to the Monday–Friday week: a public holiday (放假) on a weekday or a make-up
    working day (调休上班) on a weekend. Days not in the table follow the ordinary week. Seeded for
    2025 and 2026 from the State Council's notices; editable in the admin."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", default=False)
    name = models.CharField("说明", max_length=50, blank=True, help_text="例如：春节、调休上班")

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历（节假日与调休）"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}（{'上班' if self.is_workday else '放假'}）"


class Notification(models.Model):
    """站内通知: one message to one user, with a link into the product."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.title


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job shows its owner's upload and preview: only the owner sees it."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(owner=user)


class ImportJob(models.Model):
    """导入任务: one import of a large file, run by a Celery task (core.jobs) instead of the
    request; the page polls its state and progress, then shows the result."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField("类型", max_length=50)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    file = private_file_field("上传文件", app="imports", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    options = models.JSONField("参数", default=dict, blank=True)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    error_message = models.CharField("失败原因", max_length=1000, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.get_state_display()}）"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
