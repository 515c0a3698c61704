from django.contrib import admin
from django.db.models import Q

from core.admin import EventAdmin, ScopedAdminMixin

from .models import (
    ChecklistItem,
    InspectionEvent,
    InspectionRound,
    SpotCheckCandidate,
    SpotCheckDraw,
    Visit,
    VisitLine,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("sort_order", "group_label", "label", "category", "is_active")
    raw_id_fields = ("category",)


@admin.register(InspectionRound)
class InspectionRoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "region", "campaign", "start_date", "end_date")
    search_fields = ("name",)
    list_select_related = ("region", "campaign")
    inlines = [ChecklistItemInline]


class VisitLineInline(admin.TabularInline):
    model = VisitLine
    extra = 0
    can_delete = False
    fields = ("category", "result", "note", "case")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: visits are recorded and submitted through inspections.services."""

    list_display = ("id", "estate", "kind", "status", "visited_on", "is_imported")
    list_filter = ("kind", "status", "is_imported")
    search_fields = ("estate__name", "inspectors")
    list_select_related = ("estate",)
    inlines = [VisitLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SpotCheckCandidateInline(admin.TabularInline):
    model = SpotCheckCandidate
    extra = 0
    can_delete = False
    fields = ("position", "estate", "weight", "signals", "excluded_reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SpotCheckDraw)
class SpotCheckDrawAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "region", "sample_size", "seed", "drawn_by", "drawn_at")
    list_select_related = ("region", "drawn_by")
    inlines = [SpotCheckCandidateInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InspectionEvent)
class InspectionEventAdmin(EventAdmin):
    list_display = ("at", "kind", "actor", "round", "visit", "draw", "from_state", "to_state")
    list_filter = ("kind",)
    list_select_related = ("actor", "round", "visit", "draw")

    def get_queryset(self, request):
        # scoped through the round, visit or draw the row concerns
        qs = super().get_queryset(request)
        if request.user.sees_everything:
            return qs
        return qs.filter(Q(round__in=InspectionRound.objects.visible_to(request.user))
                         | Q(visit__in=Visit.objects.visible_to(request.user))
                         | Q(draw__in=SpotCheckDraw.objects.visible_to(request.user)))
