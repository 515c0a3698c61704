"""Supervision (督办): recorded by the county only, on the timeline, filterable on the ledger."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError, InvalidInput, InvalidState, MissingField, NotFound, PermissionDenied
from rectification.models import Case, CaseEvent, CaseState, SupervisionAction
from rectification.services import supervision_lift, supervision_record
from tests.conftest import login
from tests.rectification.factories import CaseFactory, ledger_rows, pdf, rectifying_case

pytestmark = pytest.mark.django_db


def test_listed_supervision_and_lift(estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                level="city", deadline=date(2099, 1, 31))
    assert Case.objects.with_supervision().get(pk=case.pk).is_listed
    supervision_lift(supervision_id=action.pk, user=county_user, note="整改到位")
    assert not Case.objects.with_supervision().get(pk=case.pk).is_listed
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["supervision", "supervision_lifted"]
    with pytest.raises(DomainError, match="已解除"):
        supervision_lift(supervision_id=action.pk, user=county_user)


def test_penalty_needs_its_fields_and_keeps_money_exact(estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(DomainError, match="决定书文号、罚款金额、依据"):
        supervision_record(case_id=case.pk, user=county_user, kind="penalty")
    action = supervision_record(case_id=case.pk, user=county_user, kind="penalty",
                                decision_number="休住建罚〔2025〕1号", amount=Decimal("12345.67"), basis="条例")
    assert action.amount == Decimal("12345.67")
    assert CaseEvent.objects.get(case=case).data["amount"] == "12345.67"


@pytest.mark.parametrize("kind, values, message", [
    ("penalty", {"decision_number": "罚1号", "amount": Decimal("-1"), "basis": "条例"}, "罚款金额不能为负数。"),
    ("penalty", {"decision_number": "罚1号", "amount": "很多", "basis": "条例"}, "罚款金额须为数字。"),
    ("listed_supervision", {"level": "galaxy", "deadline": date(2099, 1, 1)}, "督办级别无效。"),
    ("listed_supervision", {"level": "county", "deadline": "2099-01-01"}, "督办时限的日期不正确"),
    ("transfer", {"transfer_target": "nowhere"}, "移送单位无效。"),
    ("teleport", {}, "未知的督办方式。"),
])
def test_a_wrong_value_is_invalid_input_not_missing_field(estates, county_user, kind, values, message):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(InvalidInput, match=message) as exc:
        supervision_record(case_id=case.pk, user=county_user, kind=kind, **values)
    assert exc.value.status_code == 400 and not isinstance(exc.value, MissingField)
    assert not SupervisionAction.objects.exists()


def test_a_missing_value_is_missing_field(estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(MissingField, match="“挂牌督办”需要填写：督办时限。"):
        supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision", level="county")


def test_the_page_parses_and_refuses_a_wrong_amount(client, estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    login(client, county_user)
    response = client.post(f"/rectification/cases/{case.pk}/supervision/", {
        "kind": "penalty", "decision_number": "罚1号", "amount": "很多", "basis": "条例"})
    assert response.status_code == 400 and "罚款金额须为数字。" in response.content.decode()
    response = client.post(f"/rectification/cases/{case.pk}/supervision/", {"kind": "penalty"})
    assert response.status_code == 400 and "“行政处罚”需要填写：决定书文号、罚款金额、依据。" in response.content.decode()
    response = client.post(f"/rectification/cases/{case.pk}/supervision/", {
        "kind": "penalty", "decision_number": "罚1号", "amount": "800.5", "basis": "条例", "occurred_on": "2025-03-01"})
    assert response.status_code == 302
    action = SupervisionAction.objects.get()
    assert action.amount == Decimal("800.50") and action.occurred_on == date(2025, 3, 1)


def test_interview_with_minutes_file(estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    action = supervision_record(case_id=case.pk, user=county_user, kind="interview",
                                participants="企业负责人", outcome="承诺整改", minutes_file=pdf())
    assert action.minutes_file.name.endswith(".pdf")


def test_transfer_to_discipline_flags_corruption_clue(estates, county_user, discipline_user):
    case = rectifying_case(estates["haiyang_1"])
    assert not Case.objects.visible_to(discipline_user).exists()
    supervision_record(case_id=case.pk, user=county_user, kind="transfer", transfer_target="discipline")
    assert list(Case.objects.visible_to(discipline_user)) == [case]


@pytest.mark.parametrize("user_fixture", ["town_user", "community_user", "city_user", "enterprise_user"])
def test_only_county_records(request, estates, user_fixture):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(PermissionDenied):
        supervision_record(case_id=case.pk, user=request.getfixturevalue(user_fixture), kind="interview",
                           participants="x", outcome="y")


def test_closed_case_and_out_of_scope(estates, county_user, tree):
    from accounts.models import Role
    from tests.factories import UserFactory

    closed = CaseFactory(estate=estates["haiyang_1"], state=CaseState.CLOSED)
    with pytest.raises(InvalidState):
        supervision_record(case_id=closed.pk, user=county_user, kind="onsite_visit", participants="x", outcome="y")
    neighbour = UserFactory(role=Role.COUNTY_GROUP, region=tree["district"])
    with pytest.raises(NotFound):
        supervision_record(case_id=rectifying_case(estates["haiyang_2"]).pk, user=neighbour, kind="onsite_visit",
                           participants="x", outcome="y")


class TestPages:
    def test_it_works(self, client, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = login(client, county_user).post(f"/rectification/cases/{case.pk}/supervision/", {
            "kind": "rectification_order", "decision_number": "责改〔2025〕2号", "deadline": "2099-01-01"})
        assert response.status_code == 302
        assert "责令限期改正" in client.get(f"/rectification/cases/{case.pk}/").content.decode()

    def test_missing_fields_message(self, client, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = login(client, county_user).post(f"/rectification/cases/{case.pk}/supervision/", {"kind": "transfer"})
        assert response.status_code == 400 and "“移送”需要填写：移送单位。" in response.content.decode()

    def test_it_validates_ownership(self, client, other_town_user, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                    level="county", deadline=date(2099, 1, 1))
        login(client, other_town_user)
        assert client.post(f"/rectification/cases/{case.pk}/supervision/", {"kind": "interview"}).status_code == 404
        assert client.post(f"/rectification/supervision/{action.pk}/lift/").status_code in (403, 404)
        assert SupervisionAction.objects.get().lifted_at is None

    def test_town_cannot_record(self, client, town_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = login(client, town_user).post(f"/rectification/cases/{case.pk}/supervision/", {
            "kind": "interview", "participants": "x", "outcome": "y"})
        assert response.status_code == 403

    def test_ledger_filters(self, client, county_user, estates):
        supervised = rectifying_case(estates["haiyang_1"])
        rectifying_case(estates["wanan_1"])
        supervision_record(case_id=supervised.pk, user=county_user, kind="interview", participants="x", outcome="y")
        login(client, county_user)
        body = ledger_rows(client.get("/rectification/?supervised=true"))
        assert "海阳花园" in body and "横江苑" not in body
        body = ledger_rows(client.get("/rectification/?supervised=false"))
        assert "海阳花园" not in body and "横江苑" in body
        assert "海阳花园" not in ledger_rows(client.get("/rectification/?supervision_kind=penalty"))
        assert "海阳花园" in ledger_rows(client.get("/rectification/?supervision_kind=interview"))


@pytest.mark.parametrize("field, value", [("occurred_on", "2025-13-01"), ("deadline", "2025-02-30"), ("deadline", "明天")])
def test_impossible_dates_are_refused_not_500(client, county_user, estates, field, value):
    case = CaseFactory(estate=estates["haiyang_1"])
    login(client, county_user)
    data = {"kind": "listed_supervision", "level": "county", "deadline": "2099-01-01", field: value}
    response = client.post(f"/rectification/cases/{case.pk}/supervision/", data)
    assert response.status_code == 400
    assert "日期不正确" in response.content.decode()
    assert not case.supervisions.exists()
