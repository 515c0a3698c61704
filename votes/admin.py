from django.contrib import admin

from core.admin import EventAdmin, EventInline, ScopedAdminMixin

from .models import Matter, Vote, VoteEvent


class MatterInline(admin.TabularInline):
    model = Matter
    extra = 0
    can_delete = False
    fields = ("position", "kind", "title", "majority", "passed", "outcome", "exit_record")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class VoteEventInline(EventInline):
    model = VoteEvent
    fields = ("at", "actor", "kind", "note")
    readonly_fields = fields


@admin.register(Vote)
class VoteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: votes, ballots and results change only through the services (the hash at close
    covers the ballots)."""

    list_display = ("title", "estate", "status", "closes_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("estate",)
    inlines = [MatterInline, VoteEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VoteEvent)
class VoteEventAdmin(ScopedAdminMixin, EventAdmin):
    list_display = ("vote", "at", "actor", "kind", "note")
    list_select_related = ("vote", "actor")
