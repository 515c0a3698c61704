"""Cross-app models: the work calendar (工作日历) and in-product notifications (站内通知)."""

from django.conf import settings
from django.db import models


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
