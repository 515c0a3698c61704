import pytest
from django.core.management import call_command
from django.db.models import Count

from complaints.models import Channel, Complaint
from rectification.models import Case

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_complaints(capsys):
    call_command("seed_demo")
    complaints = Complaint.objects.all()
    assert 200 <= complaints.count() <= 400
    assert set(complaints.values_list("channel", flat=True)) == set(Channel.values)
    assert complaints.values("estate__community__parent").distinct().count() >= 3
    assert complaints.filter(satisfaction="unsatisfied").exists()
    assert complaints.filter(satisfaction="satisfied").exists()
    assert complaints.overdue().exists()
    grouped = Case.objects.annotate(n=Count("complaints")).filter(n__gte=3)
    assert grouped.exists()
    assert all(c.complainant_count <= c.n for c in grouped)
