"""短信告知: the complainant who gave a mobile number is told the tracking code when the complaint
is received (any channel: public form, staff intake, 信访, the 12345 import) and the result when it
is replied. Services enqueue `complaint_sms` after their transaction commits; the task decrypts
the number (only there) and queues one core.sms message per complaint and event, whose key makes
a second run send nothing."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core import sms

from . import privacy
from .models import RETURN_CALL_CHANNELS, Complaint

RECEIVED, REPLIED = "received", "replied"
#: ids per task: a 12345 file of 50,000 rows is 100 tasks, each well inside its time limit
BATCH = 500


def _track_hint() -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    where = f"{base}{reverse('complaints:public-track')}" if base else "投诉查询页面"
    return f"可在{where}凭查询码和手机号后四位查询办理进度。"


def complaint_sms_text(complaint: Complaint, event: str) -> str:
    signature = f"【{settings.SMS_SIGNATURE}】" if getattr(settings, "SMS_SIGNATURE", "") else ""
    if event == RECEIVED:
        deadline = f"，办理时限 {complaint.deadline:%Y-%m-%d}" if complaint.deadline else ""
        return (f"{signature}您的投诉（{complaint.get_channel_display()}）已受理，查询码 {complaint.tracking_code}"
                f"{deadline}。{_track_hint()}")
    reply = complaint.reply.strip()
    if len(reply) > 150:
        reply = reply[:150] + "…"
    follow = ("工作人员将回访听取您的意见。" if complaint.channel in RETURN_CALL_CHANNELS
              else f"请凭查询码 {complaint.tracking_code} 对办理结果进行评价。")
    return f"{signature}您的投诉（查询码 {complaint.tracking_code}）已办结：{reply} {follow}"


def complaints_sms(*, complaint_ids: list[int], event: str) -> int:
    """Queues the event's SMS for each complaint with a mobile number; returns how many were
    queued now (those queued by an earlier run are not counted, nor sent again)."""
    queued = 0
    for complaint in Complaint.objects.filter(pk__in=complaint_ids, anonymised_at__isnull=True).exclude(
            phone_encrypted="").order_by("pk"):
        phone = privacy.phone_decrypt(complaint.phone_encrypted)
        if not sms.is_mobile(phone):
            continue  # a landline (staff channels accept them) cannot take a text
        key = f"complaint-{event}:{complaint.pk}"
        existed = sms.SmsMessage.objects.filter(key=key).exists()
        message = sms.sms_queue(key=key, kind=f"complaint_{event}", text=complaint_sms_text(complaint, event),
                                phone=phone)
        queued += message is not None and not existed
    return queued


@shared_task(name="complaints.notify.complaint_sms", time_limit=10 * 60, soft_time_limit=9 * 60)
def complaint_sms(complaint_ids: list[int], event: str) -> int:
    """Thin: the SMS of one event for these complaints (complaints_sms). Safe to run twice."""
    return complaints_sms(complaint_ids=complaint_ids, event=event)


def complaint_sms_after_commit(complaint_ids: list[int], event: str) -> None:
    """Enqueues the SMS once the caller's transaction commits (a rolled-back intake texts nobody)."""
    ids = list(complaint_ids)

    def enqueue():
        for start in range(0, len(ids), BATCH):
            complaint_sms.delay(ids[start:start + BATCH], event)

    if ids:
        transaction.on_commit(enqueue)
