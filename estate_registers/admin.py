"""Admin: the county's limits (RegisterRule) are edited here as data; the registers, findings and
events are read-only here — their writes go through the services, which keep the review and the
audit."""

from django.contrib import admin

from core.admin import EventAdmin, ScopedAdminMixin

from .models import (
    FeeDisclosure,
    FundAccount,
    FundCollection,
    FundUse,
    Lift,
    ParkingDispute,
    ParkingRegister,
    RegisterEvent,
    RegisterFinding,
    RegisterRule,
    ServiceContract,
)


@admin.register(RegisterRule)
class RegisterRuleAdmin(admin.ModelAdmin):
    list_display = ("region", "fund_transfer_days", "contract_filing_days", "lift_maintenance_days",
                    "lift_max_age_years", "basis")
    list_select_related = ("region",)
    raw_id_fields = ("region",)


class _ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    list_select_related = ("estate",)
    list_filter = ("status",)
    search_fields = ("estate__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model in (FundAccount, FundCollection, FundUse, Lift, ParkingRegister, ServiceContract, FeeDisclosure):
    admin.site.register(_model, type(f"{_model.__name__}Admin", (_ReadOnly,), {
        "list_display": ("__str__", "estate", "status", "entered_at"),
    }))


@admin.register(ParkingDispute)
class ParkingDisputeAdmin(_ReadOnly):
    list_display = ("estate", "kind", "case", "recorded_at")
    list_filter = ("kind",)
    list_select_related = ("estate", "case")


@admin.register(RegisterFinding)
class RegisterFindingAdmin(_ReadOnly):
    list_display = ("estate", "check_kind", "subject_key", "case", "found_on")
    list_filter = ("check_kind",)
    list_select_related = ("estate", "case")


@admin.register(RegisterEvent)
class RegisterEventAdmin(ScopedAdminMixin, EventAdmin):
    list_display = ("at", "estate", "register", "object_id", "kind", "actor", "note")
    list_filter = ("register", "kind")
    list_select_related = ("estate", "actor")
