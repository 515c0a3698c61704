from django.contrib import admin
from django.db.models import Q

from core.admin import EventAdmin, ScopedAdminMixin

from .forms import EnterpriseForm
from .models import (
    CreditEvent,
    CreditLog,
    CreditRule,
    Enterprise,
    Evaluation,
    ExitRecord,
    ListEntry,
    ServiceLevelChange,
)


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = EnterpriseForm
    list_display = ("name", "credit_code", "legal_representative", "contact_phone", "registered_region")
    search_fields = ("name", "credit_code", "legal_representative")
    list_select_related = ("registered_region",)
    autocomplete_fields = ("registered_region",)


@admin.register(CreditRule)
class CreditRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """评定规则 are data: each county edits its thresholds here; an evaluation records the rules it
    used, so a change applies from the next evaluation on."""

    list_display = ("county", "code", "threshold", "is_active", "note")
    list_editable = ("threshold", "is_active")
    list_filter = ("code", "is_active")
    list_select_related = ("county",)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Credit events, evaluations, list entries and exits change only through enterprises.services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "kind", "occurred_on", "points", "is_published", "source_case")
    list_filter = ("kind", "is_bad", "is_published")
    search_fields = ("enterprise__name", "description", "decision_number")
    list_select_related = ("enterprise", "source_case")


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("title", "jurisdiction", "period_start", "period_end", "status", "decision_number")
    list_filter = ("status",)
    list_select_related = ("jurisdiction",)


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "list_type", "decision_number", "decided_on", "valid_until", "ended_on")
    list_filter = ("list_type",)
    list_select_related = ("enterprise",)


@admin.register(ExitRecord)
class ExitRecordAdmin(ReadOnlyAdmin):
    list_display = ("estate", "enterprise", "reason", "notice_date", "handover_deadline", "status", "overdue_case")
    list_filter = ("status", "reason")
    list_select_related = ("estate", "enterprise", "overdue_case")


@admin.register(ServiceLevelChange)
class ServiceLevelChangeAdmin(ReadOnlyAdmin):
    list_display = ("estate", "enterprise", "from_level", "to_level", "fee_after", "decision_number", "effective_on")
    list_select_related = ("estate", "enterprise")


@admin.register(CreditLog)
class CreditLogAdmin(EventAdmin):
    list_display = ("at", "kind", "actor", "enterprise", "from_state", "to_state")
    list_filter = ("kind",)
    list_select_related = ("actor", "enterprise")

    def get_queryset(self, request):
        # scoped through the evaluation or the enterprise the row concerns
        qs = super().get_queryset(request)
        if request.user.sees_everything:
            return qs
        return qs.filter(Q(evaluation__in=Evaluation.objects.visible_to(request.user))
                         | Q(enterprise__in=Enterprise.objects.visible_to(request.user)))
