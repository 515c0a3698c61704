from django.contrib import admin

from communities.admin import CountyRowsAdminMixin
from core.admin import EventInline, ScopedAdminMixin

from .models import (
    EnterpriseReport,
    ReportEvent,
    ReportingDuty,
    StoredReport,
    UnitReport,
)


@admin.register(ReportingDuty)
class ReportingDutyAdmin(CountyRowsAdminMixin, admin.ModelAdmin):
    """A county sees the general duties and edits its own rows (a row with its region replaces the
    general row of the same code for that county)."""

    list_display = ("name", "code", "region", "reporter", "receiver", "period_kind", "due_day", "reminder_lead_days", "is_active")
    list_filter = ("period_kind", "reporter", "receiver", "is_active")
    search_fields = ("name", "code")


class UnitReportEventInline(EventInline):
    model = ReportEvent
    fk_name = "unit_report"
    fields = readonly_fields = ("at", "actor", "kind", "from_state", "to_state", "note")


@admin.register(UnitReport)
class UnitReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "period", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "period")
    list_select_related = ("unit",)
    readonly_fields = ("snapshot", "status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by")
    inlines = [UnitReportEventInline]

    def has_add_permission(self, request):
        return False


class EnterpriseReportEventInline(EventInline):
    model = ReportEvent
    fk_name = "enterprise_report"
    fields = readonly_fields = ("at", "actor", "kind", "from_state", "to_state", "note")


@admin.register(EnterpriseReport)
class EnterpriseReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("enterprise", "county", "period", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "period")
    list_select_related = ("enterprise", "county")
    readonly_fields = ("duty", "enterprise", "county", "period", "snapshot", "status", "submitted_at", "submitted_by",
                       "reviewed_at", "reviewed_by")
    inlines = [EnterpriseReportEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(StoredReport)
class StoredReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("region", "period", "kind", "version", "status", "started_at", "finished_at", "rows")
    list_filter = ("status", "kind", "period")
    list_select_related = ("region",)
    readonly_fields = [f.name for f in StoredReport._meta.fields]

    def has_add_permission(self, request):
        return False
