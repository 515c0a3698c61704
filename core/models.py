"""Cross-app models: the work calendar (工作日历), in-product notifications (站内通知) with their SMS
copies (短信) and the users' notification settings, and import jobs (导入任务)."""

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
    #: the event this notification is for (e.g. "deadline-digest:2026-12-03"): one per user and key,
    #: so a job that runs twice notifies once; blank for notifications that need no such guard
    key = models.CharField("事件标识", max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="notification_once_per_key"),
        ]

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


class NotificationPreference(models.Model):
    """一位工作人员的通知设置: whether they take SMS copies of their notifications, and the mobile
    number (encrypted with the SMS purpose of core.sms, so a message row copies the token without
    decrypting it). Without a row: no SMS (there is no number to send to)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms_enabled = models.BooleanField("接收短信提醒", default=True)
    mobile_encrypted = models.TextField("手机号码（加密）", blank=True, editable=False)
    mobile_masked = models.CharField("手机号码", max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self):
        return f"{self.user} {'接收短信' if self.sms_enabled else '不接收短信'}"


class SmsMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The log of sent messages is the system administrator's; everyone else sees their own."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(user=user)


class SmsMessage(models.Model):
    """短信: one text message for one event, sent by a Celery task (core.sms). `key` names the event
    (e.g. "complaint-received:123"): one row per key, so an event never sends twice; the send task
    claims the row with a conditional update before calling the gateway. The number is stored
    encrypted; pages show only `to_masked`."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    key = models.CharField("事件标识", max_length=150, unique=True)
    kind = models.CharField("类型", max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人（工作人员）", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    to_encrypted = models.TextField("手机号码（加密）", editable=False)
    to_masked = models.CharField("手机号码", max_length=20)
    text = models.TextField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    error = models.CharField("错误信息", max_length=500, blank=True)
    provider_id = models.CharField("短信平台消息编号", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)

    objects = SmsMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信发送记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.to_masked} {self.get_status_display()}"
