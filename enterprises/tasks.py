from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from rectification.models import SupervisionAction, SupervisionKind

from .models import ExitRecord, ExitStatus
from .services import credit_record_overdue_supervision, exit_record_overdue


@shared_task(name="enterprises.tasks.record_overdue_supervisions", time_limit=30 * 60, soft_time_limit=25 * 60)
def record_overdue_supervisions() -> int:
    """Daily: a listed supervision not lifted by its deadline enters the enterprise's credit file
    (挂牌督办未按期解除). Safe to run twice. Returns how many events this run recorded."""
    today = timezone.localdate()
    candidate_ids = list(
        SupervisionAction.objects.filter(
            kind=SupervisionKind.LISTED_SUPERVISION, deadline__lt=today, case__enterprise__isnull=False
        )
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__date__gt=F("deadline")))
        .exclude(credit_events__kind="supervision_overdue")
        .values_list("pk", flat=True)
    )
    return sum(
        credit_record_overdue_supervision(supervision_id=pk, today=today) is not None for pk in candidate_ids
    )


@shared_task(name="enterprises.tasks.record_overdue_handovers", time_limit=30 * 60, soft_time_limit=25 * 60)
def record_overdue_handovers() -> int:
    """Daily: a handover past its deadline opens one case and adds a 拒不退出 credit event. Safe to
    run twice (each exit is claimed with a conditional update). Returns how many it recorded."""
    today = timezone.localdate()
    candidate_ids = list(
        ExitRecord.objects.filter(status=ExitStatus.IN_PROGRESS, handover_deadline__lt=today).values_list("pk", flat=True)
    )
    return sum(exit_record_overdue(exit_id=pk, today=today) for pk in candidate_ids)
