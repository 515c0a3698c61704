from django.core.management import call_command
from django.db.models import Count, Min

from communities.models import Estate
from estate_registers.models import (
    FeeDisclosure,
    FundCollection,
    Lift,
    ParkingDispute,
    RegisterCheckKind,
    RegisterFinding,
    ReviewStatus,
    ServiceContract,
)
from rectification.models import Case


def test_seed_demo_adds_the_registers_and_their_findings(db, _frozen_today):
    call_command("seed_demo", verbosity=0)
    assert Lift.objects.count() > 10 and ServiceContract.objects.count() > 5 and FeeDisclosure.objects.exists()
    assert Lift.objects.filter(status=ReviewStatus.RETURNED).count() == 1
    assert Lift.objects.filter(status=ReviewStatus.APPROVED).exists()
    assert FundCollection.objects.filter(transferred_amount=0).exists()
    assert ParkingDispute.objects.get().case.category.code == "D"
    kinds = set(RegisterFinding.objects.values_list("check_kind", flat=True))
    assert {RegisterCheckKind.FUND_NOT_TRANSFERRED, RegisterCheckKind.FEE_ABOVE_STANDARD} <= kinds
    assert not RegisterFinding.objects.filter(case__isnull=True).exists()
    assert Case.objects.filter(clues__source_app_label="estate_registers").exists()
    # the estates' lift summary is the register's
    summary = (
        Lift.objects.filter(in_service=True).exclude(status=ReviewStatus.RETURNED).values("estate_id")
        .annotate(n=Count("pk"), oldest=Min("install_year")).order_by()
    )
    for row in summary:
        estate = Estate.objects.get(pk=row["estate_id"])
        assert (estate.elevator_count, estate.oldest_elevator_year) == (row["n"], row["oldest"])
