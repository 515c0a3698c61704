from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError

from core.admin import EventAdmin, ScopedAdminMixin

from .models import User, UserEvent
from .user_scope import assignment_problem, users_managed_by

#: what only a superuser sets: the admin's own permission fields
_SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    """The admin keeps the one rule of the user pages (accounts.user_scope): a staff user who is
    not a system administrator edits only the users it runs, gives only the roles and scopes it
    may give, and never sets the admin's permission fields. Changes made here are not logged as
    UserEvents: the county's pages (accounts/users/) are the place for them."""

    list_display = ("username", "first_name", "role", "region", "enterprise", "is_active", "last_login")
    list_filter = ("role", "is_active")
    list_select_related = ("region", "enterprise")
    autocomplete_fields = ("region", "enterprise")
    fieldsets = BaseUserAdmin.fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "enterprise", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "enterprise")}),)

    def scoped_queryset(self, request, qs):
        if request.user.sees_everything:
            return qs
        return qs.filter(pk__in=users_managed_by(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [(name, {**options, "fields": [f for f in options["fields"] if f not in _SUPERUSER_FIELDS]})
                for name, options in fieldsets]

    def save_model(self, request, obj, form, change):
        if not request.user.sees_everything:
            problem = assignment_problem(request.user, role=obj.role, region=obj.region, enterprise=obj.enterprise)
            if problem:
                raise PermissionDenied(problem)
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class ScopedForm(form):
            def clean(self):
                cleaned = super().clean()
                if not actor.sees_everything:
                    problem = assignment_problem(actor, role=cleaned.get("role"), region=cleaned.get("region"),
                                                 enterprise=cleaned.get("enterprise"))
                    if problem:
                        raise ValidationError(problem)
                return cleaned

        return ScopedForm


@admin.register(UserEvent)
class UserEventAdmin(EventAdmin):
    list_display = ("at", "user", "kind", "actor", "note")
    list_select_related = ("user", "actor")

    def get_queryset(self, request):
        events = super().get_queryset(request)
        if request.user.sees_everything:
            return events
        return events.filter(user__in=users_managed_by(request.user).values("pk"))
