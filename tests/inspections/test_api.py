import pytest

from tests.factories import EstateFactory

from .factories import make_round, record_visit

pytestmark = pytest.mark.django_db


def test_rounds_api_lists_with_coverage_and_filters(api_client, county_user, town_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    EstateFactory(community=tree["wanan_community"])
    round = make_round(county_user, tree["county"])
    make_round(county_user, tree["wanan"], name="万安镇排查")
    record_visit(county_user, round, estate)
    api_client.force_authenticate(county_user)
    data = api_client.get("/api/v1/inspection-rounds/").json()
    rows = {r["name"]: r for r in data["results"]}
    assert (rows["2026年第一轮全面排查"]["expected_count"], rows["2026年第一轮全面排查"]["inspected_count"]) == (2, 1)
    filtered = api_client.get(f"/api/v1/inspection-rounds/?region={tree['wanan'].pk}").json()
    assert [r["name"] for r in filtered["results"]] == ["万安镇排查"]
    detail = api_client.get(f"/api/v1/inspection-rounds/{round.pk}/").json()
    assert any(i["category_code"] == "A1" for i in detail["checklist"])

    api_client.force_authenticate(town_user)
    names = [r["name"] for r in api_client.get("/api/v1/inspection-rounds/").json()["results"]]
    assert names == ["2026年第一轮全面排查"], "海阳镇 sees the county's round, not 万安镇's"
    assert api_client.get(f"/api/v1/inspection-rounds/{rows['万安镇排查']['id']}/").status_code == 404


def test_round_coverage_api(api_client, county_user, other_town_user, tree):
    estate = EstateFactory(name="已查", community=tree["xiuyang"])
    EstateFactory(name="未查", community=tree["xiuyang"])
    round = make_round(county_user, tree["haiyang"])
    record_visit(county_user, round, estate)
    api_client.force_authenticate(county_user)
    data = api_client.get(f"/api/v1/inspection-rounds/{round.pk}/coverage/").json()
    assert (data["expected"], data["inspected"], data["percent"]) == (2, 1, 50)
    assert data["towns"][0]["communities"][0]["missing"][0]["name"] == "未查"
    api_client.force_authenticate(other_town_user)
    response = api_client.get(f"/api/v1/inspection-rounds/{round.pk}/coverage/")
    assert response.status_code == 404 and response.json()["detail"] == "记录不存在或不在您的管辖范围内。"


def test_visits_api_is_scoped_and_filterable(api_client, county_user, other_town_user, tree, estates):
    round = make_round(county_user, tree["county"])
    failed = record_visit(county_user, round, estates["haiyang_1"], failures={"A1": "保洁差"})
    record_visit(county_user, round, estates["wanan_1"])
    record_visit(county_user, round, estates["haiyang_2"], submit=False)
    api_client.force_authenticate(county_user)
    assert api_client.get("/api/v1/visits/").json()["count"] == 3
    assert api_client.get("/api/v1/visits/?status=draft").json()["count"] == 1
    rows = api_client.get("/api/v1/visits/?has_failures=true").json()["results"]
    assert [r["id"] for r in rows] == [failed.pk] and rows[0]["failure_count"] == 1 and rows[0]["case_count"] == 1
    assert api_client.get(f"/api/v1/visits/?town={tree['wanan'].pk}").json()["count"] == 1
    detail = api_client.get(f"/api/v1/visits/{failed.pk}/").json()
    line = next(x for x in detail["lines"] if x["category_code"] == "A1")
    assert line["result"] == "fail" and line["case_number"].startswith("ZG")
    assert api_client.get("/api/v1/visits/?visited_from=bad").status_code == 400

    api_client.force_authenticate(other_town_user)
    assert api_client.get("/api/v1/visits/").json()["count"] == 1
    assert api_client.get(f"/api/v1/visits/{failed.pk}/").status_code == 404
    assert api_client.post("/api/v1/visits/", {}).status_code == 405


def test_api_needs_login(api_client):
    assert api_client.get("/api/v1/visits/").status_code == 401


def test_visits_api_query_count_does_not_grow(api_client, county_user, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round = make_round(county_user, tree["county"])
    for _ in range(5):
        record_visit(county_user, round, EstateFactory(community=tree["xiuyang"]), failures={"A1": "问题"})
    api_client.force_authenticate(county_user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get("/api/v1/visits/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(45):
        record_visit(county_user, round, EstateFactory(community=tree["xiuyang"]))
    assert queries() == few
