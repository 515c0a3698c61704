from datetime import date
from decimal import Decimal

from public_revenue.models import Disclosure, RevenueEntry
from tests.conftest import login
from tests.rectification.factories import fake_png, png

from .factories import add_account, add_disclosure, add_income, add_source


def test_lists_are_scoped_and_filterable(api_client, town_user, other_town_user, enterprise_user, county_user, estates):
    add_account(county_user, estates["wanan_1"])
    add_account(enterprise_user, estates["haiyang_1"])
    add_source(enterprise_user, estates["haiyang_1"])
    add_income(enterprise_user, estates["haiyang_1"], amount="100", day=date(2025, 8, 1))
    add_income(enterprise_user, estates["haiyang_2"], amount="200", day=date(2025, 9, 1), kind="ground_parking")
    add_income(county_user, estates["wanan_1"], amount="300", day=date(2025, 9, 1))
    add_disclosure(enterprise_user, estates["haiyang_1"])

    login(api_client, town_user)
    entries = api_client.get("/api/v1/revenue-entries/").json()
    assert entries["count"] == 2 and {e["town_name"] for e in entries["results"]} == {"海阳镇"}
    assert api_client.get("/api/v1/revenue-entries/", {"kind": "ground_parking"}).json()["count"] == 1
    assert api_client.get("/api/v1/revenue-entries/", {"date_from": "2025-08-15"}).json()["count"] == 1
    assert api_client.get("/api/v1/revenue-entries/", {"estate": estates["haiyang_1"].pk}).json()["count"] == 1
    accounts = api_client.get("/api/v1/revenue-accounts/").json()["results"]
    assert len(accounts) == 1 and accounts[0]["account_number_masked"] == "**** **** 0123"
    assert "account_number" not in accounts[0] and "6222021234567890123" not in str(accounts)
    assert api_client.get("/api/v1/revenue-sources/").json()["count"] == 1
    disclosures = api_client.get("/api/v1/disclosures/").json()["results"]
    assert disclosures[0]["income_total"] == "100.00" and disclosures[0]["period_label"] == "2025年第3季度"

    login(api_client, other_town_user)
    assert api_client.get("/api/v1/revenue-entries/").json()["count"] == 1
    disclosure = Disclosure.objects.get()
    assert api_client.get(f"/api/v1/disclosures/{disclosure.pk}/").status_code == 404
    entry = RevenueEntry.objects.filter(estate=estates["haiyang_1"]).get()
    assert api_client.get(f"/api/v1/revenue-entries/{entry.pk}/").status_code == 404
    assert api_client.get("/api/v1/revenue-accounts/").json()["count"] == 1  # 万安镇's own
    assert api_client.get("/api/v1/revenue-sources/").json()["count"] == 0
    assert api_client.post(f"/api/v1/disclosures/{disclosure.pk}/review/", {}).status_code == 404


def test_create_entry_and_disclosure_through_the_api(api_client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    login(api_client, enterprise_user)
    response = api_client.post(
        "/api/v1/revenue-entries/",
        {
            "estate": estate.pk,
            "direction": "income",
            "kind": "elevator_ad",
            "occurred_on": "2025-09-01",
            "amount": "12,000.50",
            "voucher": png(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "12000.50" and response.json()["has_voucher"] is True
    response = api_client.post(
        "/api/v1/disclosures/",
        {
            "estate": estate.pk,
            "period_start": "2025-07-01",
            "posted_location": "公告栏",
            "posted_on": "2025-10-10",
            "photo": png(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["income_total"]) == RevenueEntry.objects.get().amount


def test_api_refuses_bad_input_in_chinese(api_client, enterprise_user, city_user, estates):
    estate = estates["haiyang_1"]
    login(api_client, enterprise_user)
    base = {"estate": estate.pk, "direction": "income", "kind": "elevator_ad", "occurred_on": "2025-09-01"}
    for amount in ["-1", "abc", "1,23"]:
        response = api_client.post("/api/v1/revenue-entries/", {**base, "amount": amount}, format="json")
        assert response.status_code == 400 and "金额" in response.json()["detail"], amount
    response = api_client.post(
        "/api/v1/revenue-entries/", {**base, "amount": "1", "estate": estates["wanan_1"].pk}, format="json"
    )
    assert response.status_code == 404
    response = api_client.post(
        "/api/v1/disclosures/",
        {
            "estate": estate.pk,
            "period_start": "2025-10-01",
            "posted_location": "公告栏",
            "posted_on": "2025-10-10",
            "photo": png(),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "尚未结束" in response.json()["detail"]
    response = api_client.post(
        "/api/v1/disclosures/",
        {
            "estate": estate.pk,
            "period_start": "2025-07-01",
            "posted_location": "公告栏",
            "posted_on": "2025-10-10",
            "photo": fake_png(),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "不是允许的类型" in response.json()["detail"]
    login(api_client, city_user)
    assert api_client.post("/api/v1/revenue-entries/", {**base, "amount": "1"}, format="json").status_code == 403
    assert not RevenueEntry.objects.exists()


def test_review_through_the_api(api_client, town_user, enterprise_user, estates):
    disclosure = add_disclosure(enterprise_user, estates["haiyang_1"])
    login(api_client, enterprise_user)
    assert api_client.post(f"/api/v1/disclosures/{disclosure.pk}/review/", {}, format="json").status_code == 403
    login(api_client, town_user)
    response = api_client.post(f"/api/v1/disclosures/{disclosure.pk}/review/", {"note": "已核对"}, format="json")
    assert response.status_code == 200 and response.json()["review_note"] == "已核对"
