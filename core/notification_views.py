from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import sms
from .errors import DomainError
from .models import Notification, NotificationPreference, SmsMessage


@login_required
def notification_list(request):
    """The user's own notifications (站内通知), newest first."""
    rows = Notification.objects.filter(user=request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page, "query": ""})


@login_required
@require_POST
def notification_mark_all_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notification-list")


class NotificationSettingsForm(forms.Form):
    sms_enabled = forms.BooleanField(label="接收短信提醒（到期、超期案件每日汇总等）", required=False,
                                     widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    mobile = forms.CharField(label="手机号码", required=False, max_length=20,
                             widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel",
                                                           "autocomplete": "tel"}),
                             help_text="留空则保留已登记的号码；填写新号码将替换原号码。")
    remove_mobile = forms.BooleanField(label="删除已登记的手机号码", required=False,
                                       widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


@login_required
def notification_settings(request):
    """The user's own notification settings: SMS on or off, and the mobile number (shown masked)."""
    preference = NotificationPreference.objects.filter(user=request.user).first()
    initial = {"sms_enabled": preference.sms_enabled if preference else True}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mobile = "" if data["remove_mobile"] else (data["mobile"].strip() or None)
        try:
            sms.notification_preference_save(user=request.user, sms_enabled=data["sms_enabled"], mobile=mobile)
        except DomainError as exc:
            form.add_error("mobile", exc.message)
            status = exc.status_code
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notification-settings")
    elif request.method == "POST":
        status = 400
    recent = SmsMessage.objects.visible_to(request.user).filter(user=request.user)[:10]
    return render(request, "core/notification_settings.html",
                  {"form": form, "preference": preference, "recent": recent}, status=status)
