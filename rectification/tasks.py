from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Case
from .services import case_record_overdue


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
