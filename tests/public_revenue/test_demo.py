from django.core.management import call_command

from communities.models import Estate
from public_revenue import selectors
from public_revenue.models import CheckFinding, Disclosure, RevenueAccount, RevenueEntry
from rectification.models import Case, ClueSource


def test_seed_demo_adds_a_year_of_public_revenue(db, capsys, _frozen_today):
    call_command("seed_demo")
    managed = Estate.objects.exclude(management_type="none").count()
    with_account = RevenueAccount.objects.filter(has_account=True).count()
    assert 0.7 * managed <= with_account < managed
    assert RevenueEntry.objects.count() > 300
    assert RevenueEntry.objects.dates("occurred_on", "month").count() >= 12
    late = [d for d in Disclosure.objects.all() if d.is_late]
    assert len(late) == 1
    auto = Case.objects.filter(clues__source=ClueSource.AUTO_CHECK, clues__source_app_label="public_revenue").distinct()
    assert set(auto.values_list("category__code", flat=True)) == {"B1", "B2", "B3", "B4"}
    assert CheckFinding.objects.filter(case__isnull=True).count() == 0
    disclosure = Disclosure.objects.order_by("pk").first()
    totals = selectors.ledger_totals(
        estate_id=disclosure.estate_id, start=disclosure.period_start, end=disclosure.period_end
    )
    assert totals["income_total"] == disclosure.income_total
