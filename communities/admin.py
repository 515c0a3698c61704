from django.contrib import admin

from core.admin import ScopedAdminMixin

from .models import Estate, EstateAlias, Region


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a region would orphan its subtree's paths; re-parenting is not an edit.
        return ("parent", "code") if obj else ()


class EstateAliasInline(admin.TabularInline):
    """Other names of the estate that imports match (added when a person matches an imported row)."""

    model = EstateAlias
    extra = 0
    fields = ("name", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")


@admin.register(Estate)
class EstateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    inlines = [EstateAliasInline]
    list_display = ("name", "community", "enterprise", "households", "elevator_count", "owners_body_status")
    list_filter = ("management_type", "owners_body_status", "has_party_organisation", "service_level")
    search_fields = ("name", "address")
    list_select_related = ("community", "enterprise")
    autocomplete_fields = ("community", "enterprise")
