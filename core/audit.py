"""The one audit shape. Every per-object log (a case's timeline, a complaint's, public revenue's,
the red/black list's, the monthly reports') is an `Event`: who (`actor`, empty for the system),
when (`at`), what (`kind`), from what to what (`from_state` → `to_state`), why (`note`) and any
detail as JSON (`data`). Subclasses add the object they log and narrow `kind` and the states to
their own choices. Rows are written only by services and never edited or deleted; the admin shows
them read-only (core.admin.EventAdmin, EventInline).

Each write service says which of these logs it feeds with `@audited("app.Model")` (or, rarely,
`@not_audited("why")`); see the end of this module."""

from dataclasses import dataclass

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


# ---------------------------------------------------------------------------------------------
# Which services write, and which event each records. Every public write function in an app's
# services.py is declared here by a decorator, so a newcomer reading a service sees at its head
# which log it feeds, and tests/core/test_audit_coverage.py can check that none is forgotten.


@dataclass(frozen=True)
class WriteService:
    name: str  # "enterprises.services.exit_open"
    event_model: str  # "enterprises.CreditLog"; "" for a declared exception
    reason: str = ""  # why a declared exception records no event of its own


#: every declared write service by its dotted name (filled as the services modules are imported)
WRITE_SERVICES: dict[str, WriteService] = {}


def _declare(func, event_model: str, reason: str):
    name = f"{func.__module__}.{func.__qualname__}"
    WRITE_SERVICES[name] = WriteService(name=name, event_model=event_model, reason=reason)
    return func


def audited(event_model: str):
    """Declares a write service and the Event model ("app_label.ModelName") of which each of its
    changes writes a row, in the same transaction."""
    return lambda func: _declare(func, event_model, "")


def not_audited(reason: str):
    """Declares a write function that records no event of its own, and why: it changes nothing
    that has a log (a notice, a credential), or its caller's event covers it."""
    return lambda func: _declare(func, "", reason)
