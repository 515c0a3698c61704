"""Admin: the rules are edited here (data: period, deadline, enterprise share cap); the ledger is
read-only here — its writes go through the services (pages and API), which keep the audit."""

from django.contrib import admin

from core.admin import ScopedAdminMixin

from .models import CheckFinding, Disclosure, RevenueAccount, RevenueEntry, RevenueEvent, RevenueRule, RevenueSource


@admin.register(RevenueRule)
class RevenueRuleAdmin(admin.ModelAdmin):
    list_display = (
        "region",
        "disclosure_period_months",
        "disclosure_deadline_days",
        "enterprise_share_cap_percent",
        "basis",
    )
    list_select_related = ("region",)
    raw_id_fields = ("region",)


class _ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RevenueAccount)
class RevenueAccountAdmin(_ReadOnly):
    list_display = ("estate", "has_account", "bank", "masked_number", "holder", "updated_at")
    list_filter = ("has_account", "holder")
    list_select_related = ("estate",)
    exclude = ("account_number_encrypted",)
    search_fields = ("estate__name", "bank")


@admin.register(RevenueSource)
class RevenueSourceAdmin(_ReadOnly):
    list_display = ("estate", "kind", "common_part", "counterparty", "contract_amount", "approval", "is_active")
    list_filter = ("kind", "approval", "is_active")
    list_select_related = ("estate",)
    search_fields = ("estate__name", "counterparty")


@admin.register(RevenueEntry)
class RevenueEntryAdmin(_ReadOnly):
    list_display = ("estate", "occurred_on", "direction", "income_kind", "spending_kind", "amount", "allocation_basis")
    list_filter = ("direction", "income_kind", "spending_kind", "allocation_basis")
    list_select_related = ("estate",)
    date_hierarchy = "occurred_on"
    search_fields = ("estate__name", "counterparty")


@admin.register(Disclosure)
class DisclosureAdmin(_ReadOnly):
    list_display = ("estate", "period_start", "period_end", "income_total", "spending_total", "posted_on", "deadline")
    list_select_related = ("estate",)
    search_fields = ("estate__name",)


@admin.register(CheckFinding)
class CheckFindingAdmin(_ReadOnly):
    list_display = ("estate", "check_kind", "subject_key", "found_on", "case")
    list_filter = ("check_kind",)
    list_select_related = ("estate", "case")


@admin.register(RevenueEvent)
class RevenueEventAdmin(_ReadOnly):
    list_display = ("estate", "at", "kind", "actor", "note")
    list_filter = ("kind",)
    list_select_related = ("estate", "actor")
