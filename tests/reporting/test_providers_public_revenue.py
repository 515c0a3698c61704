import importlib
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from communities.models import RegionLevel
from reporting import figures
from tests.public_revenue.conftest import NOW
from tests.public_revenue.factories import add_account, add_disclosure, add_income, add_spending


@pytest.fixture(autouse=True)
def _frozen_today():
    """The public revenue tests' day (their factories' disclosures are posted on it)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _registry_restored():
    """Importing the module registers its provider in reporting's process-wide registry; undo that
    so that reporting's own tests see only the providers reporting lists."""
    before = dict(figures._registry)
    yield
    figures._registry.clear()
    figures._registry.update(before)


def test_figures_per_town_and_community_sum_exactly(enterprise_user, county_user, estates, tree):
    from reporting.providers_public_revenue import revenue_figures

    add_account(enterprise_user, estates["haiyang_1"])
    add_income(enterprise_user, estates["haiyang_1"], amount="1000.10", day=date(2025, 9, 3))
    add_income(enterprise_user, estates["haiyang_2"], amount="0.20", day=date(2025, 9, 4))
    add_income(enterprise_user, estates["haiyang_2"], amount="99.99", day=date(2025, 8, 31))  # August
    add_spending(enterprise_user, estates["haiyang_1"], amount="200.02", day=date(2025, 9, 5), kind="enterprise_share")
    add_disclosure(enterprise_user, estates["haiyang_1"])  # posted 2025-10-10, on time
    september = revenue_figures(tree["county"], date(2025, 9, 1), date(2025, 9, 30))
    haiyang = september[tree["haiyang"].pk]
    assert haiyang["revenue_income"] == Decimal("1000.30")
    assert haiyang["revenue_enterprise_share"] == Decimal("200.02")
    assert haiyang["revenue_estates_with_account"] == 1
    assert "revenue_disclosures" not in haiyang
    october = revenue_figures(tree["county"], date(2025, 10, 1), date(2025, 10, 31))
    assert october[tree["haiyang"].pk] == {
        "revenue_estates_with_account": 1,
        "revenue_disclosures": 1,
        "revenue_disclosures_on_time": 1,
    }
    by_community = revenue_figures(tree["haiyang"], date(2025, 9, 1), date(2025, 9, 30), level=RegionLevel.COMMUNITY)
    assert by_community[tree["chengbei"].pk]["revenue_income"] == Decimal("0.20")
    assert tree["wanan"].pk not in september


def test_registered_with_reporting_on_import():
    from reporting import providers_public_revenue as report_figures

    importlib.reload(report_figures)
    registration = figures._registry["public_revenue"]
    assert registration.provider is report_figures.revenue_figures
    assert {f.key for f in registration.figures} >= {"revenue_income", "revenue_disclosures_on_time"}
