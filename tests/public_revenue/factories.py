"""Helpers for public-revenue tests: records written through the services."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from public_revenue import services
from public_revenue.models import Approval
from public_revenue.periods import last_complete_period
from tests.rectification.factories import png


def add_account(user, estate, number="6222021234567890123"):
    return services.account_record(
        user=user,
        estate_id=estate.pk,
        has_account=True,
        bank="中国农业银行休宁支行",
        account_name=f"{estate.name}业主委员会",
        account_number=number,
        opened_on=date(2024, 1, 5),
        holder="owners_committee",
    )


def add_income(user, estate, amount="1200.00", day=None, kind="elevator_ad", **kwargs):
    return services.entry_create(
        user=user,
        estate_id=estate.pk,
        direction="income",
        kind=kind,
        occurred_on=day or timezone.localdate(),
        amount=amount,
        counterparty="某传媒公司",
        **kwargs,
    )


def add_spending(user, estate, amount="100.00", day=None, kind="maintenance", basis="assembly", **kwargs):
    return services.entry_create(
        user=user,
        estate_id=estate.pk,
        direction="spending",
        kind=kind,
        occurred_on=day or timezone.localdate(),
        amount=amount,
        allocation_basis=basis,
        **kwargs,
    )


def add_source(user, estate, approval=Approval.ASSEMBLY, **kwargs):
    values = {
        "kind": "elevator_ad",
        "common_part": "1-6号楼电梯轿厢",
        "counterparty": "某传媒公司",
        "approval": approval,
        "approval_decision": "2024年第1次业主大会决议" if approval != Approval.NONE else "",
    }
    values.update(kwargs)
    return services.source_create(user=user, estate_id=estate.pk, **values)


def add_disclosure(user, estate, today=None, posted_on=None):
    start, end = last_complete_period(today or timezone.localdate(), 3)
    return services.disclosure_create(
        user=user,
        estate_id=estate.pk,
        period_start=start,
        posted_location="小区东门公告栏",
        posted_on=posted_on or timezone.localdate(),
        photo=png("公示照片.png"),
        posted_on_platform=True,
    )


def previous_quarter_day(today=None):
    start, _end = last_complete_period(today or timezone.localdate(), 3)
    return start.replace(day=10)


D = Decimal
