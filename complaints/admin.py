from django.contrib import admin
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX

from accounts.capabilities import can
from communities import regions
from communities.admin import CountyRowsAdminMixin
from core.admin import EventInline, ScopedAdminMixin

from .models import ChannelRule, Complaint, ComplaintEvent, HotlineVocabulary
from .resources import Complaint12345Resource


@admin.register(ChannelRule)
class ChannelRuleAdmin(admin.ModelAdmin):
    list_display = ("channel", "deadline_workdays", "feedback_workdays")


@admin.register(HotlineVocabulary)
class HotlineVocabularyAdmin(CountyRowsAdminMixin, admin.ModelAdmin):
    """A county's 12345 words: it sees the defaults (no county) and edits its own rows, which
    override the defaults for its imports (the import page's category chooser writes them too)."""

    list_display = ("kind", "text", "field", "category", "priority", "region", "created_by", "created_at")
    list_filter = ("kind", "region")
    search_fields = ("text",)
    list_select_related = ("category", "region", "created_by")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if obj.region_id is None and not request.user.sees_everything and request.user.region_id:
            obj.region = regions.county_of(request.user.region)
        super().save_model(request, obj, form, change)


class ComplaintEventInline(EventInline):
    model = ComplaintEvent
    fields = ("at", "actor", "kind", "note", "is_public")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ScopedAdminMixin, ImportMixin, admin.ModelAdmin):
    """Read-only list; the import button takes a 12345 export (导入 12345 工单). Complainants' phone
    numbers are never shown here (they are encrypted); use the staff pages."""

    resource_classes = [Complaint12345Resource]
    import_formats = [XLSX]
    list_display = ("tracking_code", "channel", "reference", "estate", "category", "status", "satisfaction",
                    "received_at")
    list_filter = ("channel", "status", "satisfaction")
    search_fields = ("reference", "tracking_code", "estate__name", "raw_estate")
    list_select_related = ("estate", "category")
    exclude = ("complainant_name",)
    inlines = [ComplaintEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def generate_log_entries(self, result, request):
        """No admin log row per imported row: each complaint's own timeline records its import."""

    def has_import_permission(self, request):
        return can(request.user, "import.12345")
