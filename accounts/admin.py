from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.admin import ScopedAdminMixin

from .models import User


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ("username", "first_name", "role", "region", "enterprise", "is_active", "last_login")
    list_filter = ("role", "is_active")
    list_select_related = ("region", "enterprise")
    autocomplete_fields = ("region", "enterprise")
    fieldsets = BaseUserAdmin.fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "enterprise", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "enterprise")}),)

    def scoped_queryset(self, request, qs):
        if request.user.sees_everything:
            return qs
        if not request.user.region_id:
            return qs.none()
        return qs.filter(region__path__startswith=request.user.region.path)
