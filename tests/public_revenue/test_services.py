from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core import crypto
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from public_revenue import selectors, services
from public_revenue.models import Disclosure, RevenueAccount, RevenueEntry, RevenueEvent
from public_revenue.periods import last_complete_period
from rectification.uploads import InvalidUpload
from tests.rectification.factories import fake_png, pdf, png

from .factories import add_account, add_disclosure, add_income, add_spending, previous_quarter_day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1200", "1200.00"),
        ("1,200.50", "1200.50"),
        ("１２００元", "1200.00"),
        ("¥12,345,678.9", "12345678.90"),
        (" 88.8 元 ", "88.80"),
        (Decimal("3.10"), "3.10"),
        (7, "7.00"),
        ("１，２００．５０", "1200.50"),
    ],
)
def test_parse_amount_reads_what_people_type(raw, expected):
    assert services.parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["-5", "abc", "1,23", "1.234,56", "1万", "12.345", "0", "", "1e3", "NaN", "1,2345"])
def test_parse_amount_refuses_anything_ambiguous(raw):
    with pytest.raises(services.InvalidInput) as exc:
        services.parse_amount(raw)
    assert exc.value.status_code == 400


def test_account_number_is_encrypted_and_masked(enterprise_user, estates):
    account = add_account(enterprise_user, estates["haiyang_1"], number="6222 0212 3456 7890 123")
    account.refresh_from_db()
    assert account.masked_number == "**** **** 0123"
    assert "6222021234567890123" not in account.account_number_encrypted
    assert crypto.decrypt(account.account_number_encrypted, purpose="public_revenue.account_number") == "6222021234567890123"
    with connection.cursor() as cursor:
        cursor.execute("select account_number_encrypted from public_revenue_revenueaccount")
        assert "6222021234567890123" not in cursor.fetchone()[0]
    assert RevenueEvent.objects.filter(estate=estates["haiyang_1"], kind="account").count() == 1


def test_account_update_keeps_number_when_blank_and_records_none(enterprise_user, estates):
    add_account(enterprise_user, estates["haiyang_1"])
    account = services.account_record(
        user=enterprise_user,
        estate_id=estates["haiyang_1"].pk,
        has_account=True,
        bank="徽商银行",
        account_name="业委会",
        account_number="",
        holder="owners_committee",
    )
    assert account.bank == "徽商银行" and account.account_number_last4 == "0123"
    none = services.account_record(
        user=enterprise_user, estate_id=estates["haiyang_1"].pk, has_account=False, note="业委会未成立"
    )
    assert not none.has_account and none.masked_number == "" and none.account_number_encrypted == ""
    assert RevenueAccount.objects.count() == 1


def test_account_refuses_bad_numbers(enterprise_user, estates):
    with pytest.raises(services.InvalidInput, match="账号"):
        add_account(enterprise_user, estates["haiyang_1"], number="62ab")


def test_enterprise_cannot_enter_revenue_for_an_estate_it_does_not_serve(enterprise_user, estates):
    with pytest.raises(NotFound):
        add_income(enterprise_user, estates["wanan_1"])
    with pytest.raises(NotFound):
        add_account(enterprise_user, estates["wanan_1"])
    assert not RevenueEntry.objects.exists()


def test_read_only_and_community_users_cannot_write(city_user, community_user, estates):
    for user in (city_user, community_user):
        with pytest.raises(PermissionDenied):
            add_income(user, estates["haiyang_1"])


def test_town_user_writes_only_in_its_town(town_user, estates):
    add_income(town_user, estates["haiyang_2"])
    with pytest.raises(NotFound):
        add_income(town_user, estates["wanan_1"])


@pytest.mark.parametrize("amount", ["-100", "一百", "0", "12.345"])
def test_entry_refuses_bad_amounts(enterprise_user, estates, amount):
    with pytest.raises(services.InvalidInput):
        add_income(enterprise_user, estates["haiyang_1"], amount=amount)


def test_entry_refuses_future_dates_and_foreign_sources(enterprise_user, county_user, estates):
    with pytest.raises(services.InvalidInput, match="不能晚于今天"):
        add_income(enterprise_user, estates["haiyang_1"], day=timezone.localdate() + timedelta(days=1))
    other = services.source_create(
        user=county_user,
        estate_id=estates["wanan_1"].pk,
        kind="ground_parking",
        common_part="小区主干道",
        approval="none",
    )
    with pytest.raises(services.InvalidInput, match="不属于该小区"):
        add_income(enterprise_user, estates["haiyang_1"], source_id=other.pk)


def test_entry_voucher_is_sniffed(enterprise_user, estates):
    entry = add_income(enterprise_user, estates["haiyang_1"], voucher=pdf("收款凭证.pdf"))
    assert entry.voucher_content_type == "application/pdf" and entry.voucher_name == "收款凭证.pdf"
    with pytest.raises(InvalidUpload):
        add_income(enterprise_user, estates["haiyang_1"], voucher=fake_png())
    assert RevenueEntry.objects.count() == 1


def test_disclosure_totals_equal_the_ledger(enterprise_user, estates):
    estate = estates["haiyang_1"]
    day = previous_quarter_day()
    for amount in ["1200.10", "0.20", "1,000.30"]:
        add_income(enterprise_user, estate, amount=amount, day=day)
    add_income(enterprise_user, estate, amount="500", day=day, kind="ground_parking")
    add_spending(enterprise_user, estate, amount="300.15", day=day, kind="enterprise_share", basis="contract")
    add_spending(enterprise_user, estate, amount="99.99", day=day)
    add_income(enterprise_user, estate, amount="7.77")  # this quarter: not in the disclosure
    disclosure = add_disclosure(enterprise_user, estate)
    assert disclosure.income_total == Decimal("2700.60")
    assert disclosure.spending_total == Decimal("400.14")
    assert disclosure.enterprise_share_total == Decimal("300.15")
    assert disclosure.balance == Decimal("2300.46")
    assert disclosure.totals_by_kind["income"]["elevator_ad"] == "2200.60"
    assert disclosure.totals_by_kind["income"]["ground_parking"] == "500.00"
    start, end = last_complete_period(timezone.localdate(), 3)
    totals = selectors.ledger_totals(estate_id=estate.pk, start=start, end=end)
    assert totals["income_total"] == disclosure.income_total
    assert (
        sum(
            RevenueEntry.objects.filter(estate=estate, occurred_on__lte=end, direction="income").values_list(
                "amount", flat=True
            )
        )
        == disclosure.income_total
    )
    assert not disclosure.is_late


def test_disclosure_refuses_future_period_duplicates_and_bad_photos(enterprise_user, estates):
    estate = estates["haiyang_1"]
    today = timezone.localdate()
    start = today.replace(month=((today.month - 1) // 3) * 3 + 1, day=1)
    with pytest.raises(services.InvalidInput, match="尚未结束"):
        services.disclosure_create(
            user=enterprise_user,
            estate_id=estate.pk,
            period_start=start,
            posted_location="公告栏",
            posted_on=today,
            photo=png(),
        )
    with pytest.raises(services.InvalidInput, match="期初第一天"):
        services.disclosure_create(
            user=enterprise_user,
            estate_id=estate.pk,
            period_start=start.replace(day=2),
            posted_location="公告栏",
            posted_on=today,
            photo=png(),
        )
    prev_start, _ = last_complete_period(today, 3)
    for photo, error in [(fake_png(), InvalidUpload), (pdf(), InvalidUpload), (None, services.InvalidInput)]:
        with pytest.raises(error):
            services.disclosure_create(
                user=enterprise_user,
                estate_id=estate.pk,
                period_start=prev_start,
                posted_location="公告栏",
                posted_on=today,
                photo=photo,
            )
    add_disclosure(enterprise_user, estate)
    with pytest.raises(Conflict):
        add_disclosure(enterprise_user, estate)
    assert Disclosure.objects.count() == 1


def test_disclosure_review_by_town_only(enterprise_user, town_user, other_town_user, estates):
    disclosure = add_disclosure(enterprise_user, estates["haiyang_1"])
    with pytest.raises(PermissionDenied):
        services.disclosure_review(user=enterprise_user, disclosure_id=disclosure.pk)
    with pytest.raises(NotFound):
        services.disclosure_review(user=other_town_user, disclosure_id=disclosure.pk)
    reviewed = services.disclosure_review(user=town_user, disclosure_id=disclosure.pk, note="已核对")
    assert reviewed.reviewed_by == town_user and reviewed.review_note == "已核对"


def test_source_with_approval_needs_the_decision(enterprise_user, estates):
    with pytest.raises(DomainError, match="决议"):
        services.source_create(
            user=enterprise_user,
            estate_id=estates["haiyang_1"].pk,
            kind="elevator_ad",
            common_part="电梯",
            approval="assembly",
        )
    with pytest.raises(services.InvalidInput):
        services.source_create(
            user=enterprise_user,
            estate_id=estates["haiyang_1"].pk,
            kind="elevator_ad",
            common_part="电梯",
            contract_amount="-1",
        )
