"""The one audit shape. Every per-object log (a case's timeline, a complaint's, public revenue's,
the red/black list's, the monthly reports') is an `Event`: who (`actor`, empty for the system),
when (`at`), what (`kind`), from what to what (`from_state` → `to_state`), why (`note`) and any
detail as JSON (`data`). Subclasses add the object they log and narrow `kind` and the states to
their own choices. Rows are written only by services and never edited or deleted; the admin shows
them read-only (core.admin.EventAdmin, EventInline)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    kind = models.CharField("类型", max_length=30)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
