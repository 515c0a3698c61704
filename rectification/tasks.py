from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Case
from .services import case_record_overdue, deadline_digest_send


@shared_task(name="rectification.tasks.record_overdue_cases", time_limit=30 * 60, soft_time_limit=25 * 60)
def record_overdue_cases() -> int:
    """Daily: records the start of each overdue episode on the case's timeline and notifies the
    responsible users. Safe to run twice (the service claims each episode with a conditional
    update). Returns how many episodes this run recorded."""
    today = timezone.localdate()
    candidate_ids = list(
        Case.objects.overdue(today).exclude(overdue_recorded_for_deadline=F("deadline")).values_list("pk", flat=True)
    )
    return sum(case_record_overdue(case_id=case_id, today=today) for case_id in candidate_ids)


@shared_task(name="rectification.tasks.send_deadline_digest", time_limit=30 * 60, soft_time_limit=25 * 60)
def send_deadline_digest() -> int:
    """Daily (07:30 Asia/Shanghai): each officer's cases due within three days and overdue, as a
    notification with an SMS copy for those who take SMS. Safe to run twice (one per user and
    day). Returns how many officers were notified."""
    return deadline_digest_send(today=timezone.localdate())
