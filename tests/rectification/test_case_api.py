"""/api/v1/cases/: scoped list, filters, transitions through the same service, timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rectification.models import Case, CaseState
from tests.rectification.factories import CaseFactory, add_evidence, png, rectifying_case

pytestmark = pytest.mark.django_db

IN_TEN_DAYS = (timezone.localdate() + timedelta(days=10)).isoformat()


def transition(api_client, case, name, **payload):
    return api_client.post(f"/api/v1/cases/{case.pk}/transition/", {"transition": name, **payload}, format="json")


class TestList:
    def test_it_works(self, api_client, town_user, estates):
        CaseFactory(estate=estates["haiyang_1"])
        CaseFactory(estate=estates["wanan_1"])
        api_client.force_authenticate(town_user)
        data = api_client.get("/api/v1/cases/").json()
        assert data["count"] == 1
        row = data["results"][0]
        assert row["id"] and row["estate_name"] == "海阳花园" and row["state_display"] == "待核查"

    def test_it_validates_ownership(self, api_client, other_town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(other_town_user)
        response = api_client.get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "记录不存在或不在您的管辖范围内。"

    def test_filters_like_the_ledger(self, api_client, county_user, estates):
        late = rectifying_case(estates["haiyang_1"])
        Case.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
        CaseFactory(estate=estates["wanan_1"])
        api_client.force_authenticate(county_user)
        rows = api_client.get("/api/v1/cases/?overdue=true").json()["results"]
        assert [r["id"] for r in rows] == [late.pk] and rows[0]["is_overdue"] and rows[0]["days_overdue"] == 1

    def test_unauthenticated(self, api_client, estates):
        assert api_client.get("/api/v1/cases/").status_code in (401, 403)

    def test_query_count_is_fixed(self, api_client, county_user, estates, django_assert_num_queries):
        api_client.force_authenticate(county_user)
        for i in range(5):
            rectifying_case(estates["haiyang_1"], description=f"a{i}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert len(api_client.get("/api/v1/cases/?page_size=50").json()["results"]) == 5
        for i in range(45):
            rectifying_case(estates["wanan_1"], description=f"b{i}")
        with django_assert_num_queries(len(small.captured_queries)):
            assert len(api_client.get("/api/v1/cases/?page_size=50").json()["results"]) == 50


class TestTransition:
    def test_walk_through_every_state(self, api_client, community_user, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(community_user)
        assert transition(api_client, case, "start_verification", expected_version=1).json()["state"] == "verifying"
        data = transition(api_client, case, "confirm", verification_result="partly_true", verification_note="部分属实",
                          measures="整改", responsible_unit="物业", responsible_person="李强", deadline=IN_TEN_DAYS).json()
        assert data["state"] == "rectifying" and data["version"] == 3
        response = api_client.post(f"/api/v1/cases/{case.pk}/transition/",
                                   {"transition": "request_closure", "note": "完成", "files": [png()]}, format="multipart")
        assert response.status_code == 200 and response.json()["state"] == "pending_closure"
        api_client.force_authenticate(county_user)
        assert transition(api_client, case, "return", reason="再改").json()["state"] == "rectifying"
        api_client.force_authenticate(community_user)
        assert transition(api_client, case, "request_closure", note="再次完成").json()["state"] == "pending_closure"
        api_client.force_authenticate(county_user)
        assert transition(api_client, case, "close", note="整改到位").json()["state"] == "closed"
        assert transition(api_client, case, "reopen", reason="反弹").json()["state"] == "rectifying"
        assert transition(api_client, case, "withdraw", reason="重复").json()["state"] == "withdrawn"
        events = api_client.get(f"/api/v1/cases/{case.pk}/events/").json()
        assert [e["transition"] for e in events] == [
            "start_verification", "confirm", "request_closure", "return", "request_closure", "close", "reopen", "withdraw"]
        assert events[2]["attachments"][0]["content_type"] == "image/png"
        assert events[0]["actor_name"] == str(community_user)

    def test_not_true(self, api_client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
        api_client.force_authenticate(town_user)
        assert transition(api_client, case, "not_true", reason="不属实").json()["state"] == "not_true"

    def test_missing_reason(self, api_client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
        api_client.force_authenticate(town_user)
        response = transition(api_client, case, "not_true")
        assert response.status_code == 400 and response.json()["detail"] == "“核查不属实”需要填写：原因。"

    def test_missing_evidence(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        api_client.force_authenticate(county_user)
        response = transition(api_client, case, "close", note="整改到位")
        assert response.status_code == 400 and "佐证材料" in response.json()["detail"]

    def test_wrong_role(self, api_client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        add_evidence(case)
        api_client.force_authenticate(town_user)
        response = transition(api_client, case, "close", note="整改到位")
        assert response.status_code == 403 and "县专班" in response.json()["detail"]

    def test_read_only_role(self, api_client, city_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(city_user)
        response = transition(api_client, case, "start_verification")
        assert response.status_code == 403 and response.json()["detail"] == "您没有权限执行此操作。"

    def test_it_validates_ownership(self, api_client, other_town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(other_town_user)
        assert transition(api_client, case, "start_verification").status_code == 404
        assert api_client.get(f"/api/v1/cases/{case.pk}/events/").status_code == 404

    def test_illegal_jump(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(county_user)
        response = transition(api_client, case, "reopen", reason="x")
        assert response.status_code == 409
        assert response.json()["detail"] == "案件当前状态为“待核查”，不能执行“重新打开（回头看）”。"

    def test_stale_version(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        add_evidence(case)
        api_client.force_authenticate(county_user)
        assert transition(api_client, case, "close", note="整改到位", expected_version=1).status_code == 200
        response = transition(api_client, case, "close", note="整改到位", expected_version=1)
        assert response.status_code == 409
        assert response.json()["detail"] == "该案件已被他人办理（当前状态：已销号），请刷新后查看。"

    def test_unknown_transition(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(county_user)
        assert transition(api_client, case, "teleport").status_code == 400

    def test_target_state_instead_of_transition_name(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        add_evidence(case)
        api_client.force_authenticate(county_user)
        response = api_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to_state": "rectifying", "reason": "照片不清"},
                                   format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "rectifying"
        assert case.events.get().transition == "return"
        response = api_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to_state": "closed"}, format="json")
        assert response.status_code == 409
        assert response.json()["detail"] == "案件当前状态为“整改中”，不能变更为“已销号”。"

    def test_bad_version(self, api_client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        api_client.force_authenticate(county_user)
        assert transition(api_client, case, "start_verification", expected_version="abc").status_code == 400


def test_schema_has_case_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/cases/{id}/transition/" in schema["paths"]
    assert "/api/v1/cases/{id}/events/" in schema["paths"]
