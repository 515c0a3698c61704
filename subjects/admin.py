from django.contrib import admin

from .models import CoverageTarget, Developer, GovernmentUnit, OwnersCommittee


@admin.register(CoverageTarget)
class CoverageTargetAdmin(admin.ModelAdmin):
    """The plans' coverage targets are data: the working group sets them per region here."""

    list_display = ("region", "figure", "percent", "plan")
    list_filter = ("figure", "plan")


@admin.register(Developer)
class DeveloperAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region")
    search_fields = ("name", "credit_code")
    readonly_fields = ("name", "credit_code", "region")  # written by subjects.services (audit)


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(admin.ModelAdmin):
    list_display = ("estate", "kind", "term_start", "term_end", "is_current", "has_party_organisation")
    list_filter = ("kind", "is_current", "has_party_organisation")

    def has_change_permission(self, request, obj=None):
        return False  # the estate's columns follow the register only through subjects.services


@admin.register(GovernmentUnit)
class GovernmentUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
