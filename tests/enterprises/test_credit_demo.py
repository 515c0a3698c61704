import pytest
from django.core.management import call_command

from enterprises.models import CreditEvent, Evaluation, EvaluationStatus, ExitRecord, ExitStatus, ListEntry, Objection


@pytest.mark.django_db
def test_seed_demo_builds_a_published_red_black_list():
    call_command("seed_demo")
    evaluation = Evaluation.objects.get()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert ListEntry.objects.filter(list_type="black").count() >= 2
    assert ListEntry.objects.filter(list_type="red").count() >= 1
    assert Objection.objects.filter(status="answered").count() == 1
    assert CreditEvent.objects.filter(source_case__isnull=False).count() >= 3
    late = ExitRecord.objects.get()
    assert late.status == ExitStatus.OVERDUE and late.overdue_case is not None
    assert late.credit_events.filter(kind="refused_exit").count() == 1
