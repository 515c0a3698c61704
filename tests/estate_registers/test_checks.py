from datetime import date, datetime
from zoneinfo import ZoneInfo

from estate_registers.checks import register_checks_run
from estate_registers.models import RegisterCheckKind, RegisterFinding, RegisterRule
from estate_registers.services import register_review
from estate_registers.tasks import run_register_checks
from rectification.models import Case, CaseClue, ClueSource

from .factories import add_collection, add_contract, add_fee_disclosure

SHANGHAI = ZoneInfo("Asia/Shanghai")


def cases(estate, code):
    return Case.objects.filter(estate=estate, category__code=code)


def test_each_check_opens_exactly_one_case_when_run_twice(enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_collection(enterprise_user, estate, collected_on=date(2025, 8, 1))  # 70 days, nothing transferred → E
    add_collection(enterprise_user, estate, collected_on=date(2025, 9, 30))  # 10 days: within the limit
    add_collection(enterprise_user, estate, collected_on=date(2025, 7, 1), transferred="50000.00")  # all transferred
    add_contract(enterprise_user, estate, start=date(2022, 1, 1), end=date(2024, 12, 31), filing="XN-1")
    add_contract(enterprise_user, estate, start=date(2025, 1, 1), end=date(2025, 9, 30), filing="",
                 signed_on=date(2025, 1, 1))  # not filed (A2), expired (F6)
    add_fee_disclosure(enterprise_user, estate, day=date(2025, 9, 1), fee="1.50")  # above 1.20 → F3
    add_fee_disclosure(enterprise_user, estate, day=date(2025, 3, 1), fee="1.20")  # at the standard

    first = run_register_checks.delay().get()
    assert first == {
        RegisterCheckKind.FUND_NOT_TRANSFERRED: 1, RegisterCheckKind.CONTRACT_NOT_FILED: 1,
        RegisterCheckKind.CONTRACT_EXPIRED: 1, RegisterCheckKind.FEE_ABOVE_STANDARD: 1,
    }
    counts = {code: cases(estate, code).count() for code in ["E", "A2", "F6", "F3"]}
    assert counts == {"E": 1, "A2": 1, "F6": 1, "F3": 1}
    assert cases(estate, "E").get().source == ClueSource.AUTO_CHECK
    clues = CaseClue.objects.count()

    second = register_checks_run()
    assert sum(second.values()) == 0
    assert {code: cases(estate, code).count() for code in ["E", "A2", "F6", "F3"]} == counts
    assert CaseClue.objects.count() == clues
    finding = RegisterFinding.objects.get(check_kind=RegisterCheckKind.FUND_NOT_TRANSFERRED)
    assert finding.case.category.code == "E" and "50000.00 元未上缴" in finding.description


def test_the_countys_limit_is_data(enterprise_user, estates, tree, _frozen_today):
    estate = estates["haiyang_1"]
    RegisterRule.objects.create(region=tree["county"], fund_transfer_days=90, basis="休宁县维修资金管理办法")
    add_collection(enterprise_user, estate, collected_on=date(2025, 8, 1))
    assert register_checks_run()[RegisterCheckKind.FUND_NOT_TRANSFERRED] == 0
    _frozen_today.move_to(datetime(2025, 11, 1, 9, 0, tzinfo=SHANGHAI))
    assert register_checks_run()[RegisterCheckKind.FUND_NOT_TRANSFERRED] == 1


def test_a_preliminary_contract_not_filed_is_the_developers_item(enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_contract(enterprise_user, estate, start=date(2025, 1, 1), end=date(2027, 12, 31), filing="", kind="preliminary")
    register_checks_run()
    assert cases(estate, "G2").count() == 1 and cases(estate, "A2").count() == 0


def test_returned_rows_are_not_checked(enterprise_user, town_user, estates):
    row = add_collection(enterprise_user, estates["haiyang_1"], collected_on=date(2025, 8, 1))
    register_review(user=town_user, register="fund-collections", pk=row.pk, approve=False, reason="金额有误")
    assert register_checks_run()[RegisterCheckKind.FUND_NOT_TRANSFERRED] == 0
