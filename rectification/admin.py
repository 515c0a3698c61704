from django.contrib import admin

from core.admin import EventInline, ScopedAdminMixin

from .models import Case, CaseClue, CaseEvent, EstatePlan, PlanEvent, SupervisionAction, TypicalCase


class CaseClueInline(admin.TabularInline):
    model = CaseClue
    extra = 0
    can_delete = False
    readonly_fields = ("source", "reference", "description", "source_app_label", "source_object_id",
                       "complainant_count", "received_at")

    def has_add_permission(self, request, obj=None):
        return False


class PlanEventInline(EventInline):
    model = PlanEvent
    fields = ("at", "actor", "kind", "from_state", "to_state", "note")
    readonly_fields = fields


class CaseEventInline(EventInline):
    model = CaseEvent
    fields = ("at", "actor", "label", "from_state", "to_state", "note")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only in the admin: a case changes only through rectification.services."""

    list_display = ("id", "estate", "category", "state", "deadline", "complainant_count", "created_at")
    list_filter = ("state", "source", "is_corruption_clue")
    search_fields = ("description", "estate__name")
    list_select_related = ("estate", "category")
    inlines = [CaseClueInline, CaseEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionAction)
class SupervisionActionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("case", "kind", "occurred_on", "level", "lifted_at")
    list_filter = ("kind", "level")
    list_select_related = ("case__estate", "case__category")

    def scoped_queryset(self, request, qs):
        return qs.filter(case__in=Case.objects.visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EstatePlan)
class EstatePlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "estate", "status", "approved_at", "published_at")
    inlines = [PlanEventInline]
    list_filter = ("status",)
    list_select_related = ("estate",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TypicalCase)
class TypicalCaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "case", "is_published", "selected_at")
    list_filter = ("is_published",)
    list_select_related = ("case__estate", "case__category")

    def has_add_permission(self, request):
        return False
