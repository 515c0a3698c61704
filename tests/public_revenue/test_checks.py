from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from public_revenue.checks import revenue_checks_run
from public_revenue.models import CheckFinding, CheckKind, RevenueRule
from public_revenue.tasks import run_revenue_checks
from rectification.models import Case, CaseClue, CaseState, ClueSource

from .factories import add_account, add_disclosure, add_income, add_source, add_spending

SHANGHAI = ZoneInfo("Asia/Shanghai")


def cases(estate, code):
    return Case.objects.filter(estate=estate, category__code=code)


def test_each_check_opens_exactly_one_case_when_run_twice(enterprise_user, estates, _frozen_today):
    estate = estates["haiyang_1"]
    add_source(enterprise_user, estate, approval="none")  # B2
    add_income(enterprise_user, estate, amount="1000", day=date(2025, 8, 1))
    add_spending(enterprise_user, estate, amount="400", day=date(2025, 8, 2), kind="enterprise_share")  # B4 cap
    add_spending(enterprise_user, estate, amount="50", day=date(2025, 8, 3), basis="")  # B4 no basis
    _frozen_today.move_to(datetime(2025, 10, 20, 9, 0, tzinfo=SHANGHAI))  # Q3 deadline passed

    first = run_revenue_checks.delay().get()
    assert first[CheckKind.NO_ACCOUNT] == 4  # every managed estate; none has an account
    assert first[CheckKind.SOURCE_UNAPPROVED] == 1
    assert first[CheckKind.DISCLOSURE_OVERDUE] == 1
    assert first[CheckKind.SHARE_OVER_CAP] == 1
    assert first[CheckKind.SPENDING_WITHOUT_BASIS] == 1
    counts = {code: cases(estate, code).count() for code in ["B1", "B2", "B3", "B4"]}
    assert counts == {"B1": 1, "B2": 1, "B3": 1, "B4": 1}
    b4 = cases(estate, "B4").get()
    assert b4.source == ClueSource.AUTO_CHECK and b4.clues.count() == 2  # two findings joined one case
    clues_before = CaseClue.objects.count()

    second = revenue_checks_run()
    assert sum(second.values()) == 0
    assert {code: cases(estate, code).count() for code in ["B1", "B2", "B3", "B4"]} == counts
    assert CaseClue.objects.count() == clues_before
    finding = CheckFinding.objects.get(estate=estate, check_kind=CheckKind.DISCLOSURE_OVERDUE)
    assert finding.case.category.code == "B3" and finding.subject_key == "20250701-20250930"


def test_late_disclosure_then_arriving_reopens_nothing(enterprise_user, county_user, estates, _frozen_today):
    estate = estates["haiyang_1"]
    add_account(enterprise_user, estate)
    add_income(enterprise_user, estate, amount="800", day=date(2025, 9, 1))
    _frozen_today.move_to(datetime(2025, 10, 20, 9, 0, tzinfo=SHANGHAI))
    revenue_checks_run()
    case = cases(estate, "B3").get()
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)

    disclosure = add_disclosure(enterprise_user, estate)
    assert disclosure.is_late
    revenue_checks_run()
    assert cases(estate, "B3").count() == 1
    assert cases(estate, "B3").get().state == CaseState.CLOSED
    assert not cases(estate, "B1").exists()


def test_on_time_disclosure_and_account_leave_no_case(enterprise_user, estates, _frozen_today):
    estate = estates["haiyang_1"]
    add_account(enterprise_user, estate)
    add_source(enterprise_user, estate)
    add_income(enterprise_user, estate, amount="800", day=date(2025, 9, 1))
    add_spending(enterprise_user, estate, amount="240", day=date(2025, 9, 2), kind="enterprise_share", basis="contract")
    add_disclosure(enterprise_user, estate)
    _frozen_today.move_to(datetime(2025, 10, 20, 9, 0, tzinfo=SHANGHAI))
    revenue_checks_run()
    assert not Case.objects.filter(estate=estate).exists()  # 240 / 800 = 30% is within the cap


def test_the_cap_is_data(enterprise_user, estates, tree, _frozen_today):
    estate = estates["haiyang_1"]
    add_account(enterprise_user, estate)
    add_income(enterprise_user, estate, amount="800", day=date(2025, 9, 1))
    add_spending(enterprise_user, estate, amount="240", day=date(2025, 9, 2), kind="enterprise_share", basis="contract")
    add_disclosure(enterprise_user, estate)
    RevenueRule.objects.create(region=tree["haiyang"], enterprise_share_cap_percent="20.00")
    result = revenue_checks_run()
    assert result[CheckKind.SHARE_OVER_CAP] == 1
    assert "超过上限 20.00%" in CheckFinding.objects.get(check_kind=CheckKind.SHARE_OVER_CAP).description


def test_monthly_rule_moves_the_deadline(enterprise_user, estates, tree, _frozen_today):
    estate = estates["haiyang_1"]
    RevenueRule.objects.create(region=tree["county"], disclosure_period_months=1, disclosure_deadline_days=5)
    add_account(enterprise_user, estate)
    add_income(enterprise_user, estate, amount="800", day=date(2025, 9, 1))
    revenue_checks_run()  # 10-10: September was due by 10-05
    finding = CheckFinding.objects.get(estate=estate, check_kind=CheckKind.DISCLOSURE_OVERDUE)
    assert finding.subject_key == "20250901-20250930" and "2025年9月" in finding.description


def test_contract_income_not_recorded_is_a_clue(enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_account(enterprise_user, estate)
    source = add_source(
        enterprise_user,
        estate,
        contract_start=date(2025, 1, 1),
        contract_end=date(2025, 6, 30),
        contract_amount="12,000",
    )
    add_income(enterprise_user, estate, amount="5000", day=date(2025, 3, 1), source_id=source.pk)
    result = revenue_checks_run()
    assert result[CheckKind.INCOME_BELOW_CONTRACT] == 1
    finding = CheckFinding.objects.get(check_kind=CheckKind.INCOME_BELOW_CONTRACT)
    assert "差额 7000.00 元" in finding.description and finding.case.category.code == "B4"


@pytest.mark.parametrize("management_type", ["none"])
def test_unmanaged_estates_are_not_checked(estates, management_type):
    estates["haiyang_1"].management_type = management_type
    estates["haiyang_1"].save()
    revenue_checks_run()
    assert not Case.objects.filter(estate=estates["haiyang_1"]).exists()
    assert Case.objects.filter(category__code="B1").count() == 3
