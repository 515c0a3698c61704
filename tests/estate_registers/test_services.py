from datetime import date
from decimal import Decimal

import pytest

from communities.models import Estate
from core.errors import InvalidInput, InvalidState, MissingField, NotFound, PermissionDenied
from estate_registers import services
from estate_registers.models import Lift, ParkingDispute, RegisterEvent, ReviewStatus
from rectification.models import Case

from .factories import add_collection, add_contract, add_fee_disclosure, add_lift


def test_review_returns_with_reason_and_only_the_town_approves(enterprise_user, town_user, county_user, community_user,
                                                               estates):
    lift = add_lift(enterprise_user, estates["haiyang_1"])
    assert lift.status == ReviewStatus.SUBMITTED
    for not_town in (county_user, community_user, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.register_review(user=not_town, register="lifts", pk=lift.pk, approve=True)
    with pytest.raises(MissingField):
        services.register_review(user=town_user, register="lifts", pk=lift.pk, approve=False, reason=" ")
    returned = services.register_review(user=town_user, register="lifts", pk=lift.pk, approve=False,
                                        reason="使用登记证号与证书不符")
    assert returned.status == ReviewStatus.RETURNED and returned.review_note == "使用登记证号与证书不符"
    with pytest.raises(InvalidState):
        services.register_review(user=town_user, register="lifts", pk=lift.pk, approve=True)

    resubmitted = add_lift(enterprise_user, estates["haiyang_1"], pk=lift.pk, number="31103410222012000009")
    assert resubmitted.status == ReviewStatus.SUBMITTED and resubmitted.review_note == ""
    approved = services.register_review(user=town_user, register="lifts", pk=lift.pk, approve=True)
    assert approved.status == ReviewStatus.APPROVED and approved.reviewed_by == town_user
    events = list(RegisterEvent.objects.filter(register="lifts", object_id=lift.pk).order_by("at", "id"))
    assert [e.kind for e in events] == ["created", "returned", "changed", "approved"]
    assert events[1].note == "使用登记证号与证书不符" and events[1].from_state == "submitted"
    assert events[2].data["changed"]["registration_number"] == ["31103410222012000001", "31103410222012000009"]


def test_another_towns_row_is_not_found(town_user, other_town_user, enterprise_user, estates):
    lift = add_lift(enterprise_user, estates["haiyang_1"])
    with pytest.raises(NotFound):
        services.register_review(user=other_town_user, register="lifts", pk=lift.pk, approve=True)
    with pytest.raises(NotFound):
        add_lift(other_town_user, estates["haiyang_1"], pk=lift.pk)
    with pytest.raises(NotFound):  # an enterprise records only on the estates it serves
        add_lift(enterprise_user, estates["wanan_1"], number="X-2")


def test_read_only_roles_cannot_enter(city_user, estates):
    with pytest.raises(PermissionDenied):
        add_lift(city_user, estates["haiyang_1"])


def test_estate_lift_fields_follow_the_register(enterprise_user, town_user, estates):
    estate = estates["haiyang_1"]
    Estate.objects.filter(pk=estate.pk).update(elevator_count=9, oldest_elevator_year=1990)
    add_lift(enterprise_user, estate, number="A1", year=2008)
    second = add_lift(enterprise_user, estate, number="A2", year=2012, location="2栋")
    estate.refresh_from_db()
    assert (estate.elevator_count, estate.oldest_elevator_year) == (2, 2008)
    first = Lift.objects.get(registration_number="A1")
    services.register_review(user=town_user, register="lifts", pk=first.pk, approve=False, reason="重复登记")
    estate.refresh_from_db()
    assert (estate.elevator_count, estate.oldest_elevator_year) == (1, 2012)
    add_lift(enterprise_user, estate, pk=second.pk, number="A2", year=2012, location="2栋", in_service=False)
    estate.refresh_from_db()
    assert (estate.elevator_count, estate.oldest_elevator_year) == (0, None)


def test_estate_contract_fields_follow_the_latest_contract(enterprise_user, town_user, estates):
    estate = estates["haiyang_1"]
    add_contract(enterprise_user, estate, start=date(2020, 1, 1), end=date(2022, 12, 31), filing="XN-2020-1")
    latest = add_contract(enterprise_user, estate, start=date(2023, 1, 1), end=date(2025, 12, 31),
                          filing="XN-2023-7", service_level="2")
    estate.refresh_from_db()
    assert (estate.contract_start, estate.contract_end, estate.contract_filing_number, estate.service_level) == (
        date(2023, 1, 1), date(2025, 12, 31), "XN-2023-7", "2")
    services.register_review(user=town_user, register="service-contracts", pk=latest.pk, approve=False, reason="合同未盖章")
    estate.refresh_from_db()
    assert estate.contract_filing_number == "XN-2020-1" and estate.contract_end == date(2022, 12, 31)


def test_bad_input_is_a_chinese_message(enterprise_user, estates):
    with pytest.raises(InvalidInput, match="上缴金额"):
        add_collection(enterprise_user, estates["haiyang_1"], amount="100", transferred="200")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        add_collection(enterprise_user, estates["haiyang_1"], collected_on=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="备案号与备案日期"):
        add_contract(enterprise_user, estates["haiyang_1"], filing="", filed_on=date(2023, 1, 5))
    with pytest.raises(MissingField):
        services.fee_disclosure_save(user=enterprise_user, estate_id=estates["haiyang_1"].pk,
                                     disclosed_on=date(2025, 9, 1), fee_charged=Decimal("1"), location="大门")


def test_fee_disclosure_photo_is_rebuilt_and_private(enterprise_user, estates):
    row = add_fee_disclosure(enterprise_user, estates["haiyang_1"])
    assert row.photo.name.startswith("estate_registers/") and row.photo.name.endswith(".png")
    assert row.photo_name == "notice.png"


def test_parking_dispute_opens_one_case_and_joins_it(community_user, estates):
    estate = estates["haiyang_1"]
    first = services.parking_dispute_record(user=community_user, estate_id=estate.pk, kind="ground_lock",
                                            description="3栋前私设地锁占用公共车位")
    second = services.parking_dispute_record(user=community_user, estate_id=estate.pk, kind="public_space_rented",
                                             description="物业私自出租地面公共车位")
    assert first.case_id == second.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.category.code == "D" and case.clues.count() == 2
    assert ParkingDispute.objects.filter(estate=estate).count() == 2
