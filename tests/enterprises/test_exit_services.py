"""The exit mechanism (退出机制): handover checklist, late handover, litigation and referral."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidInput, MissingField, NotFound, PermissionDenied
from enterprises import services
from enterprises.models import HANDOVER_ITEMS, CreditEvent, ExitRecord, ExitStatus
from enterprises.tasks import record_overdue_handovers
from rectification.models import Case
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def exit_data(**overrides):
    today = timezone.localdate()
    data = {
        "reason": "dismissed", "decision": "业主大会决议解聘", "decision_date": today - timedelta(days=40),
        "notice_date": today - timedelta(days=30), "handover_deadline": today + timedelta(days=10),
        "new_manager_name": "业主委员会（自行管理）",
    }
    data.update(overrides)
    return data


def test_handover_completes_and_only_then_changes_the_estate(estates, county_user):
    estate = estates["haiyang_1"]
    newcomer = EnterpriseFactory(name="新进物业")
    record = services.exit_open(user=county_user, estate_id=estate.pk, **exit_data(new_enterprise=newcomer))
    items = list(record.handover_items.order_by("pk"))
    assert [i.item for i in items] == [code for code, _ in HANDOVER_ITEMS]
    for item in items[:-1]:
        services.handover_tick(user=county_user, item_id=item.pk, done_on=timezone.localdate(), evidence="交接单已签字")
    estate.refresh_from_db()
    assert estate.enterprise.name == "海阳物业公司"
    with pytest.raises(DomainError, match="佐证"):
        services.handover_tick(user=county_user, item_id=items[-1].pk, done_on=timezone.localdate(), evidence="")
    services.handover_tick(user=county_user, item_id=items[-1].pk, done_on=timezone.localdate(), evidence="钥匙移交清单")
    estate.refresh_from_db()
    record.refresh_from_db()
    assert estate.enterprise == newcomer and record.status == ExitStatus.COMPLETED


def test_late_handover_opens_exactly_one_case_even_when_the_job_runs_twice(estates, county_user):
    record = services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **exit_data())
    ExitRecord.objects.filter(pk=record.pk).update(handover_deadline=timezone.localdate() - timedelta(days=1))
    assert record_overdue_handovers() == 1
    assert record_overdue_handovers() == 0
    assert services.exit_record_overdue(exit_id=record.pk, today=timezone.localdate()) is False
    record.refresh_from_db()
    assert record.status == ExitStatus.OVERDUE
    case = Case.objects.get()
    assert record.overdue_case == case and case.category.code == "A4" and case.enterprise == record.enterprise
    event = CreditEvent.objects.get()
    assert (event.kind, event.source_exit, event.source_case) == ("refused_exit", record, case)


def test_litigation_and_market_regulation(estates, county_user):
    record = services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **exit_data())
    with pytest.raises(DomainError, match="法院"):
        services.exit_litigation_record(user=county_user, exit_id=record.pk, court="", case_number="", stage="filed")
    services.exit_litigation_record(user=county_user, exit_id=record.pk, court="休宁县人民法院",
                                    case_number="（2025）皖1022民初1号", stage="filed")
    services.exit_refer_market_regulation(user=county_user, exit_id=record.pk, referred_on=timezone.localdate(),
                                          note="已报告县市场监管局")
    record.refresh_from_db()
    assert record.litigation.count() == 1 and record.market_regulation_referred_on == timezone.localdate()


def test_refusals(estates, county_user, town_user, tree):
    with pytest.raises(PermissionDenied):
        services.exit_open(user=town_user, estate_id=estates["haiyang_1"].pk, **exit_data())
    with pytest.raises(NotFound):
        services.exit_open(user=county_user, estate_id=estates["tunxi_1"].pk, **exit_data())
    with pytest.raises(DomainError, match="不能早于"):
        services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk,
                           **exit_data(handover_deadline=timezone.localdate() - timedelta(days=60)))
    with pytest.raises(DomainError, match="新物业服务企业"):
        services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk,
                           **exit_data(new_manager_name="", new_enterprise=estates["haiyang_1"].enterprise))
    services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **exit_data())
    with pytest.raises(DomainError, match="进行中"):
        services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **exit_data())


def test_service_level_regrading_needs_a_refusal(estates, county_user):
    from datetime import date

    from tests.rectification.factories import rectifying_case

    estate = estates["haiyang_1"]
    estate.service_level = "2"
    estate.save()
    data = {"to_level": "4", "fee_before": Decimal("1.20"), "fee_after": Decimal("0.80"),
            "decision_number": "休发改价〔2025〕3号", "effective_on": date(2025, 12, 1), "reason": "拒不整改，降低服务等级"}
    with pytest.raises(DomainError, match="拒不整改"):
        services.service_level_regrade(user=county_user, estate_id=estate.pk, **data)
    rectifying_case(estate, deadline=date(2020, 1, 1))
    with pytest.raises(InvalidInput, match="数字"):
        services.service_level_regrade(user=county_user, estate_id=estate.pk, **{**data, "fee_after": "八毛"})
    with pytest.raises(MissingField, match="核定后收费标准"):
        services.service_level_regrade(user=county_user, estate_id=estate.pk, **{**data, "fee_after": None})
    change = services.service_level_regrade(user=county_user, estate_id=estate.pk, **data)
    estate.refresh_from_db()
    assert (change.from_level, change.to_level, str(change.fee_after), estate.service_level) == ("2", "4", "0.80", "4")
