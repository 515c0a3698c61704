class ScopedAdminMixin:
    """The admin goes through the same scoping as pages and the API: a staff user who is not a
    system administrator sees only rows of their subtree."""

    def scoped_queryset(self, request, qs):
        return qs.visible_to(request.user)

    def get_queryset(self, request):
        return self.scoped_queryset(request, super().get_queryset(request))


from django.contrib import admin  # noqa: E402

from .models import CalendarDay, Notification, SmsMessage  # noqa: E402


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "created_at", "read_at")
    list_select_related = ("user",)
    search_fields = ("title",)
    raw_id_fields = ("user",)

    def get_queryset(self, request):
        # Users see only their own notifications in the admin; system administrators see all.
        qs = super().get_queryset(request)
        return qs if request.user.sees_everything else qs.filter(user=request.user)


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventAdmin(_ReadOnly, admin.ModelAdmin):
    """An event log (core.audit.Event) in the admin: listed and shown, never added, edited or deleted."""


class EventInline(_ReadOnly, admin.TabularInline):
    """An object's events under it in the admin, read-only."""

    extra = 0
    can_delete = False


@admin.register(SmsMessage)
class SmsMessageAdmin(_ReadOnly, admin.ModelAdmin):
    """短信发送记录: the number only masked; the text, status, attempts and error of each message."""

    list_display = ("created_at", "kind", "to_masked", "status", "attempts", "error", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("key", "to_masked")
    fields = ("key", "kind", "user", "to_masked", "text", "status", "attempts", "error", "provider_id",
              "created_at", "claimed_at", "sent_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
