from django.contrib import admin

from core.admin import ScopedAdminMixin

from .models import Campaign, CampaignStage, ProblemCategory


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "parent", "seed_plan_labels", "is_active", "sort_order")
    list_filter = ("is_active", "parent")
    list_editable = ("is_active", "sort_order")
    search_fields = ("code", "label")
    list_select_related = ("parent",)

    @admin.display(description="出自方案")
    def seed_plan_labels(self, obj):
        return obj.seed_plan_labels


class CampaignStageInline(admin.TabularInline):
    model = CampaignStage
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "region", "start_date", "end_date", "is_active")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    inlines = [CampaignStageInline]
