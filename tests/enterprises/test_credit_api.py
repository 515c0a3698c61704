"""Read API of the credit file, evaluations and exits: scoped like every other endpoint."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from enterprises import services
from enterprises.models import ListType
from rectification.services import supervision_record
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory
from tests.rectification.factories import rectifying_case

pytestmark = pytest.mark.django_db

PENALTY = {"decision_number": "休住建罚〔2025〕1号", "amount": Decimal("5000"), "basis": "条例"}


def published(estates, county_user, tree):
    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    today = timezone.localdate()
    evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                          period_start=today - timedelta(days=30), period_end=today)
    for p in evaluation.proposals.exclude(proposed=ListType.NONE):
        services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
    return services.evaluation_publish(user=county_user, evaluation_id=evaluation.pk, decision_number="文号1",
                                       decided_on=today, valid_until=today + timedelta(days=30))


def test_enterprises_carry_list_status_and_credit_summary(api_client, county_user, estates, tree):
    published(estates, county_user, tree)
    api_client.force_authenticate(county_user)
    rows = {r["name"]: r for r in api_client.get("/api/v1/enterprises/").json()["results"]}
    assert rows["海阳物业公司"]["list_status"] == "black"
    assert rows["海阳物业公司"]["credit_summary"] == {"good_events": 0, "bad_events": 1, "points": -10}
    assert rows["万安物业公司"]["list_status"] == "red"


def test_enterprise_list_queries_do_not_grow(api_client, county_user, tree):
    api_client.force_authenticate(county_user)

    def queries_for(n):
        for _ in range(n):
            EstateFactory(community=tree["xiuyang"], enterprise=EnterpriseFactory(registered_region=tree["county"]))
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get("/api/v1/enterprises/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(5) == queries_for(45)


def test_credit_events_are_scoped(api_client, county_user, town_user, other_town_user, enterprise_user, estates):
    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    api_client.force_authenticate(town_user)
    assert [r["kind"] for r in api_client.get("/api/v1/credit-events/").json()["results"]] == ["penalty"]
    api_client.force_authenticate(other_town_user)
    assert api_client.get("/api/v1/credit-events/").json()["results"] == []
    api_client.force_authenticate(enterprise_user)
    assert len(api_client.get("/api/v1/credit-events/").json()["results"]) == 1
    other_enterprise = UserFactory(role=Role.ENTERPRISE, enterprise=estates["wanan_1"].enterprise)
    api_client.force_authenticate(other_enterprise)
    assert api_client.get("/api/v1/credit-events/").json()["results"] == []


def test_evaluations_are_scoped_and_read_only(api_client, county_user, town_user, estates, tree):
    evaluation = published(estates, county_user, tree)
    api_client.force_authenticate(town_user)
    body = api_client.get(f"/api/v1/evaluations/{evaluation.pk}/").json()
    assert [p["enterprise_name"] for p in body["proposals"]] == ["海阳物业公司"]
    assert api_client.post("/api/v1/evaluations/", {}).status_code in (403, 405)
    outsider = UserFactory(role=Role.COUNTY_GROUP, region=tree["district"])
    api_client.force_authenticate(outsider)
    response = api_client.get(f"/api/v1/evaluations/{evaluation.pk}/")
    assert response.status_code == 404 and "管辖范围" in response.json()["detail"]


def test_anonymous_is_refused_in_chinese(api_client, db):
    response = api_client.get("/api/v1/credit-events/")
    assert response.status_code in (401, 403) and "登录" in response.json()["detail"]
