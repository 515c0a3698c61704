from django.contrib import admin
from django.db.models import Q

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


class CountyRowsAdminMixin:
    """Reference rows a county may override: rows without a region are everybody's defaults (read-only
    to a county, which adds its own row instead), rows with a county's region are that county's."""

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("region")
        user = request.user
        if user.sees_everything:
            return qs
        return qs.filter(Q(region__isnull=True) | Q(region__path__startswith=user.region.path if user.region_id else "-"))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is not None and obj.region_id is None and not request.user.sees_everything:
            return False
        return allowed

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and not request.user.sees_everything:
            kwargs["queryset"] = Region.objects.visible_to(request.user).filter(level=3)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
