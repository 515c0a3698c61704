"""The state machine through the service: every state, every refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidState, NotFound, PermissionDenied
from rectification.models import Case, CaseAttachment, CaseEvent, CaseState, ClueSource
from rectification.services import case_open_or_join, case_transition
from rectification.states import TRANSITIONS, available_transitions
from tests.rectification.factories import CaseFactory, add_evidence, fake_png, leaf_category, png, rectifying_case

pytestmark = pytest.mark.django_db

IN_TEN_DAYS = timezone.localdate() + timedelta(days=10)
CONFIRM = {
    "verification_result": "true", "verification_note": "现场核查属实", "measures": "更换门禁",
    "responsible_unit": "海阳物业公司", "responsible_person": "李强", "deadline": IN_TEN_DAYS,
}


def events(case, **kwargs):
    return CaseEvent.objects.filter(case=case, **kwargs)


def test_open_creates_case_in_pending_verification(estates, county_user):
    case, clue, created = case_open_or_join(
        estate=estates["haiyang_1"], category=leaf_category(), campaign=None, source=ClueSource.COMPLAINT,
        reference="12345-001", description="保洁不到位", user=county_user,
    )
    assert created and case.state == CaseState.PENDING_VERIFICATION
    assert case.region_path == estates["haiyang_1"].community.path
    assert case.enterprise_id == estates["haiyang_1"].enterprise_id
    assert case.complainant_count == 1 and clue.reference == "12345-001"
    assert events(case, kind="created").count() == 1


def test_second_clue_joins_the_open_case(estates):
    kwargs = {"estate": estates["haiyang_1"], "category": leaf_category(), "campaign": None, "source": ClueSource.COMPLAINT}
    first, _, _ = case_open_or_join(**kwargs, reference="a")
    second, clue, created = case_open_or_join(**kwargs, reference="b", complainant_count=3, source_app_label="complaints", source_object_id=7)
    assert not created and second.pk == first.pk
    assert second.complainant_count == 4
    assert clue.source_app_label == "complaints" and clue.source_object_id == "7"
    assert first.clues.count() == 2
    assert events(first, kind="clue_joined").count() == 1


def test_closed_case_is_not_joined(estates):
    closed = CaseFactory(estate=estates["haiyang_1"], state=CaseState.CLOSED)
    case, _, created = case_open_or_join(estate=estates["haiyang_1"], category=closed.category, campaign=None, source=ClueSource.INSPECTION)
    assert created and case.pk != closed.pk and case.complainant_count == 0


def test_open_refuses_out_of_scope_estate(estates, town_user):
    with pytest.raises(NotFound):
        case_open_or_join(estate=estates["wanan_1"], category=leaf_category(), campaign=None, source="inspection", user=town_user)


def test_walk_through_every_state(estates, community_user, county_user):
    case = CaseFactory(estate=estates["haiyang_1"])
    version = case.version
    case = case_transition(case_id=case.pk, user=community_user, transition="start_verification", expected_version=version)
    assert case.state == CaseState.VERIFYING
    case = case_transition(case_id=case.pk, user=community_user, transition="confirm", **CONFIRM)
    assert case.state == CaseState.RECTIFYING and case.responsible_person == "李强"
    case = case_transition(case_id=case.pk, user=community_user, transition="progress", note="已更换一半", files=[png()])
    assert case.state == CaseState.RECTIFYING
    case = case_transition(case_id=case.pk, user=community_user, transition="request_closure", note="完成", files=[png()])
    assert case.state == CaseState.PENDING_CLOSURE
    case = case_transition(case_id=case.pk, user=county_user, transition="return", reason="照片不清楚")
    assert case.state == CaseState.RECTIFYING
    case = case_transition(case_id=case.pk, user=community_user, transition="request_closure", note="补充")
    case = case_transition(case_id=case.pk, user=county_user, transition="close", note="整改到位")
    assert case.state == CaseState.CLOSED and case.closed_at is not None
    case = case_transition(case_id=case.pk, user=county_user, transition="reopen", reason="回头看发现反弹")
    assert case.state == CaseState.RECTIFYING and case.closed_at is None
    case = case_transition(case_id=case.pk, user=county_user, transition="withdraw", reason="重复")
    assert case.state == CaseState.WITHDRAWN
    assert case.version == version + 9
    kinds = list(events(case).values_list("transition", flat=True))
    assert kinds == ["start_verification", "confirm", "progress", "request_closure", "return", "request_closure", "close", "reopen", "withdraw"]
    assert CaseAttachment.objects.filter(case=case).count() == 2
    first = events(case).first()
    assert (first.actor, first.from_state, first.to_state) == (community_user, "pending_verification", "verifying")


def test_not_true_closes_with_reason(estates, town_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
    case = case_transition(case_id=case.pk, user=town_user, transition="not_true", reason="与事实不符")
    assert case.state == CaseState.NOT_TRUE and case.verification_result == "not_true"
    assert not case.is_open


@pytest.mark.parametrize("transition, state, data, message", [
    ("not_true", CaseState.VERIFYING, {}, "原因"),
    ("return", CaseState.PENDING_CLOSURE, {"reason": "  "}, "原因"),
    ("confirm", CaseState.VERIFYING, {**CONFIRM, "deadline": ""}, "完成时限"),
    ("confirm", CaseState.VERIFYING, {**CONFIRM, "verification_result": "not_true"}, "核查结果"),
    ("withdraw", CaseState.RECTIFYING, {}, "原因"),
    ("reopen", CaseState.CLOSED, {}, "原因"),
])
def test_missing_reason_or_field_is_refused(estates, county_user, transition, state, data, message):
    case = CaseFactory(estate=estates["haiyang_1"], state=state)
    with pytest.raises(DomainError) as exc:
        case_transition(case_id=case.pk, user=county_user, transition=transition, **data)
    assert exc.value.status_code == 400 and message in exc.value.message
    assert not events(case).exists()
    case.refresh_from_db()
    assert case.state == state and case.version == 1


def test_past_deadline_is_refused(estates, county_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(DomainError, match="不能早于今天"):
        case_transition(case_id=case.pk, user=county_user, transition="confirm", **{**CONFIRM, "deadline": yesterday})


def test_deadline_in_working_days(estates, county_user):
    from core.workdays import add_working_days
    from rectification.forms import transition_form

    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
    form = transition_form(TRANSITIONS["confirm"], case, county_user, data={**CONFIRM, "deadline": "", "deadline_workdays": "5"})
    assert form.is_valid(), form.errors
    case = case_transition(case_id=case.pk, user=county_user, transition="confirm", **form.values)
    assert case.deadline == add_working_days(timezone.localdate(), 5)


def test_closure_request_needs_evidence(estates, community_user):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(DomainError, match="佐证材料"):
        case_transition(case_id=case.pk, user=community_user, transition="request_closure", note="完成")


def test_close_needs_evidence(estates, county_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    with pytest.raises(DomainError, match="佐证材料"):
        case_transition(case_id=case.pk, user=county_user, transition="close", note="整改到位")
    add_evidence(case)
    assert case_transition(case_id=case.pk, user=county_user, transition="close", note="整改到位").state == CaseState.CLOSED


def test_close_needs_a_note_and_the_page_asks_for_a_confirmation(client, estates, county_user):
    """销号 records the closing check's finding (销号意见) and is confirmed before it is sent."""
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    with pytest.raises(DomainError, match="销号意见"):
        case_transition(case_id=case.pk, user=county_user, transition="close", note="  ")
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_CLOSURE
    client.force_login(county_user)
    page = client.get(f"/rectification/cases/{case.pk}/").content.decode()
    close_form = page[page.index('data-testid="transition-close"'):]
    close_form = close_form[:close_form.index("</form>")]
    assert "销号意见" in close_form and "required" in close_form and 'data-confirm="确认销号？' in close_form
    refused = client.post(f"/rectification/cases/{case.pk}/do/close/", {"version": case.version})
    assert refused.status_code == 400 and Case.objects.get(pk=case.pk).state == CaseState.PENDING_CLOSURE
    case_transition(case_id=case.pk, user=county_user, transition="close", note="现场复核，整改到位")
    assert events(case, transition="close").get().note == "现场复核，整改到位"


def test_fake_image_is_refused(estates, community_user):
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(DomainError, match="不是允许的类型"):
        case_transition(case_id=case.pk, user=community_user, transition="request_closure", note="完成", files=[fake_png()])
    assert not CaseAttachment.objects.exists()


def test_oversized_file_is_refused(estates, community_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rectification.uploads import MAX_UPLOAD_BYTES
    from tests.rectification.factories import PNG

    big = SimpleUploadedFile("big.png", PNG + b"\0" * MAX_UPLOAD_BYTES, content_type="image/png")
    case = rectifying_case(estates["haiyang_1"])
    with pytest.raises(DomainError, match="超过"):
        case_transition(case_id=case.pk, user=community_user, transition="progress", note="x", files=[big])


@pytest.mark.parametrize("user_fixture", ["community_user", "town_user", "enterprise_user"])
def test_only_county_closes(request, estates, user_fixture):
    user = request.getfixturevalue(user_fixture)
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    with pytest.raises(PermissionDenied, match="县专班"):
        case_transition(case_id=case.pk, user=user, transition="close", note="整改到位")


@pytest.mark.parametrize("user_fixture", ["city_user", "discipline_user"])
def test_read_only_roles_are_refused(request, estates, user_fixture):
    user = request.getfixturevalue(user_fixture)
    case = CaseFactory(estate=estates["haiyang_1"], is_corruption_clue=True)
    with pytest.raises(PermissionDenied):
        case_transition(case_id=case.pk, user=user, transition="start_verification")


def test_enterprise_cannot_verify_but_can_report_progress(estates, enterprise_user):
    case = CaseFactory(estate=estates["haiyang_1"])
    with pytest.raises(PermissionDenied):
        case_transition(case_id=case.pk, user=enterprise_user, transition="start_verification")
    case = rectifying_case(estates["haiyang_1"], category=leaf_category("A2"))
    case_transition(case_id=case.pk, user=enterprise_user, transition="progress", note="已整改", files=[png()])


def test_out_of_scope_is_not_found(estates, town_user, other_town_user):
    case = CaseFactory(estate=estates["haiyang_1"])
    with pytest.raises(NotFound):
        case_transition(case_id=case.pk, user=other_town_user, transition="start_verification")


@pytest.mark.parametrize("transition, state", [
    ("close", CaseState.PENDING_VERIFICATION),
    ("confirm", CaseState.PENDING_VERIFICATION),
    ("request_closure", CaseState.VERIFYING),
    ("reopen", CaseState.RECTIFYING),
    ("withdraw", CaseState.CLOSED),
    ("start_verification", CaseState.NOT_TRUE),
])
def test_illegal_jump_is_refused(estates, county_user, transition, state):
    case = CaseFactory(estate=estates["haiyang_1"], state=state)
    add_evidence(case)
    with pytest.raises(InvalidState) as exc:
        case_transition(case_id=case.pk, user=county_user, transition=transition, **{**CONFIRM, "reason": "x", "note": "x"})
    assert exc.value.status_code == 409
    assert case.get_state_display() in exc.value.message


def test_stale_version_is_a_conflict(estates, county_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    case_transition(case_id=case.pk, user=county_user, transition="close", note="整改到位", expected_version=1)
    with pytest.raises(Conflict) as exc:
        case_transition(case_id=case.pk, user=county_user, transition="close", note="整改到位", expected_version=1)
    assert exc.value.message == "该案件已被他人办理（当前状态：已销号），请刷新后查看。"
    assert events(case, transition="close").count() == 1


def test_unknown_transition(estates, county_user):
    case = CaseFactory(estate=estates["haiyang_1"])
    with pytest.raises(DomainError, match="未知的操作"):
        case_transition(case_id=case.pk, user=county_user, transition="explode")


def test_assign_verifying_unit_must_contain_the_case(estates, county_user, tree):
    case = CaseFactory(estate=estates["haiyang_1"])
    with pytest.raises(DomainError, match="核查单位"):
        case_transition(case_id=case.pk, user=county_user, transition="assign", verifying_unit=tree["wanan"])
    case = case_transition(case_id=case.pk, user=county_user, transition="assign", verifying_unit=tree["xiuyang"])
    assert case.verifying_unit == tree["xiuyang"] and case.state == CaseState.PENDING_VERIFICATION


def test_available_transitions_follow_the_table(estates, county_user, community_user, city_user):
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    assert {t.name for t in available_transitions(case, county_user)} == {"close", "return", "withdraw"}
    assert available_transitions(case, community_user) == []
    assert available_transitions(case, city_user) == []
    assert all(t.label for t in TRANSITIONS.values())


class TestScoping:
    def test_town_sees_own_town_only(self, estates, town_user):
        mine = CaseFactory(estate=estates["haiyang_2"])
        CaseFactory(estate=estates["wanan_1"])
        assert list(Case.objects.visible_to(town_user)) == [mine]

    def test_enterprise_sees_its_cases(self, estates, enterprise_user):
        mine = CaseFactory(estate=estates["haiyang_1"])
        CaseFactory(estate=estates["wanan_1"])
        assert list(Case.objects.visible_to(enterprise_user)) == [mine]

    def test_discipline_sees_only_corruption_clues_of_its_region(self, estates, discipline_user):
        clue = CaseFactory(estate=estates["haiyang_1"], is_corruption_clue=True)
        CaseFactory(estate=estates["haiyang_1"], category=leaf_category("A2"))
        CaseFactory(estate=estates["tunxi_1"], is_corruption_clue=True)
        assert list(Case.objects.visible_to(discipline_user)) == [clue]
