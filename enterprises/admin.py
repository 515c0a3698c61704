from django.contrib import admin

from core.admin import ScopedAdminMixin

from .forms import EnterpriseForm
from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = EnterpriseForm
    list_display = ("name", "credit_code", "legal_representative", "contact_phone", "registered_region")
    search_fields = ("name", "credit_code", "legal_representative")
    list_select_related = ("registered_region",)
    autocomplete_fields = ("registered_region",)
