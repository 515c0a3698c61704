"""Staff list, filters, export, attachments and /api/v1/complaints/ (scoped, filterable, paginated, create)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from complaints import selectors, services
from complaints.models import Complaint
from tests.conftest import login

from .factories import complaint, jpg

pytestmark = pytest.mark.django_db


def test_list_is_scoped_to_the_town(client, estates, town_user):
    mine = complaint(estates["haiyang_1"])
    complaint(estates["wanan_1"])
    login(client, town_user)
    response = client.get("/complaints/")
    assert [c.pk for c in response.context["page"]] == [mine.pk]


def test_detail_and_photo_of_another_town_are_404(client, estates, other_town_user, town_user):
    c = complaint(estates["haiyang_1"], files=[jpg()])
    photo = c.attachments.get()
    login(client, other_town_user)
    assert client.get(f"/complaints/{c.pk}/").status_code == 404
    assert client.get(f"/complaints/attachments/{photo.pk}/").status_code == 404
    assert client.post(f"/complaints/{c.pk}/reply/", {"reply": "x", "method": "phone"}).status_code == 404
    login(client, town_user)
    response = client.get(f"/complaints/attachments/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_photos_are_not_public(client, estates):
    c = complaint(estates["haiyang_1"], files=[jpg()])
    photo = c.attachments.get()
    assert client.get(f"/complaints/attachments/{photo.pk}/").status_code == 302  # to the login page
    assert "private" in photo.file.path and "/media/" not in photo.file.path


def test_filters(client, estates, county_user, community_user):
    a = complaint(estates["haiyang_1"], channel="12345", reference="GD1")
    b = complaint(estates["wanan_1"], code="B2")
    services.complaint_reply(complaint_id=a.pk, user=county_user, reply="已处理", method="phone")
    Complaint.objects.filter(pk=a.pk).update(satisfaction="unsatisfied")
    login(client, county_user)

    def codes(**params):
        return {c.pk for c in client.get("/complaints/", params).context["page"]}

    assert codes(channel="12345") == {a.pk}
    assert codes(town=estates["wanan_1"].community.parent_id) == {b.pk}
    assert codes(community=estates["haiyang_1"].community_id) == {a.pk}
    assert codes(estate=estates["wanan_1"].pk) == {b.pk}
    assert codes(category=b.category.parent_id) == {b.pk}
    assert codes(status="handled") == {a.pk}
    assert codes(unsatisfied="true") == {a.pk}
    assert codes(overdue="false") == {a.pk, b.pk}
    assert codes(received_from="2000-01-01", received_to="2999-01-01") == {a.pk, b.pk}
    assert codes(received_from="2999-01-01") == set()
    assert client.get("/complaints/", {"received_from": "not-a-date"}).status_code == 400


def test_list_query_count_does_not_grow_with_rows(client, estates, county_user, django_assert_max_num_queries):
    for i in range(3):
        complaint(estates["haiyang_1"], phone=f"1380000000{i}")
    login(client, county_user)
    with django_assert_max_num_queries(20) as small:
        client.get("/complaints/")
    for i in range(20):
        complaint(estates["wanan_1"], phone=f"1390000{i:04d}", code="B2")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/complaints/")


def test_export_is_the_filtered_rows(client, estates, county_user):
    complaint(estates["haiyang_1"], channel="12345", reference="=HYPERLINK(1)")
    complaint(estates["wanan_1"])
    login(client, county_user)
    response = client.get("/complaints/", {"channel": "12345", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[0][0] == "序号"
    assert rows[1][3] == "=HYPERLINK(1)"  # stored as text, never a formula


def test_api_is_scoped_filterable_and_paginated(api_client, estates, town_user):
    for i in range(3):
        complaint(estates["haiyang_1"], phone=f"1380000000{i}")
    complaint(estates["wanan_1"])
    api_client.force_authenticate(town_user)
    data = api_client.get("/api/v1/complaints/", {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    assert api_client.get("/api/v1/complaints/", {"channel": "12345"}).json()["count"] == 0
    other = Complaint.objects.get(estate=estates["wanan_1"])
    assert api_client.get(f"/api/v1/complaints/{other.pk}/").status_code == 404


def test_api_create_with_a_token_for_the_12345_platform(api_client, estates, county_user):
    token = Token.objects.create(user=county_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    payload = {"channel": "12345", "reference": "GD77", "estate": estates["haiyang_1"].pk, "category": "A1",
               "description": "电梯困人", "phone": "13812345678", "complainant_name": "赵六",
               "received_at": "2025-05-01T10:00:00+08:00"}
    response = api_client.post("/api/v1/complaints/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"] and body["case_complainant_count"] == 1 and body["phone"] == "13812345678"
    again = api_client.post("/api/v1/complaints/", payload, format="json")
    assert again.status_code == 409 and "已登记" in again.json()["detail"]
    bad = api_client.post("/api/v1/complaints/", {**payload, "reference": "GD78", "category": "ZZ"}, format="json")
    assert bad.status_code == 400 and "问题类别" in bad.json()["detail"]
    outside = api_client.post("/api/v1/complaints/", {**payload, "reference": "GD79", "estate": estates["tunxi_1"].pk},
                              format="json")
    assert outside.status_code == 404
    assert api_client.post("/api/v1/complaints/", {}, format="json").status_code == 400


def test_api_refuses_read_only_and_anonymous(api_client, estates, city_user):
    assert api_client.get("/api/v1/complaints/").status_code == 401
    api_client.force_authenticate(city_user)
    payload = {"channel": "12345", "estate": estates["haiyang_1"].pk, "category": "A1", "description": "x"}
    assert api_client.post("/api/v1/complaints/", payload, format="json").status_code == 403


def test_reply_move_and_split_pages(client, estates, county_user):
    a = complaint(estates["haiyang_1"], phone="13800000001")
    b = complaint(estates["haiyang_1"], phone="13800000002")
    login(client, county_user)
    assert client.post(f"/complaints/{a.pk}/reply/", {"reply": "", "method": "phone"}).status_code == 400
    assert client.post(f"/complaints/{a.pk}/reply/", {"reply": "已处理", "method": "phone"}).status_code == 302
    assert client.post(f"/complaints/{b.pk}/split/", {"reason": ""}).status_code == 400
    assert client.post(f"/complaints/{b.pk}/split/", {"reason": "不同问题"}).status_code == 302
    b.refresh_from_db()
    # the case is named by its number as the ledger shows it (案件编号), not by the database id
    refused = client.post(f"/complaints/{b.pk}/move/", {"to_case": a.case_id, "reason": "合并"})
    assert refused.status_code == 400 and "案件编号格式不正确" in refused.content.decode()
    unknown = client.post(f"/complaints/{b.pk}/move/", {"to_case": "ZG2026-999999", "reason": "合并"})
    assert unknown.status_code == 400 and "没有这个案件编号" in unknown.content.decode()
    number = a.case.number
    wrong_year = f"ZG{int(number[2:6]) - 1}{number[6:]}"
    assert client.post(f"/complaints/{b.pk}/move/", {"to_case": wrong_year, "reason": "合并"}).status_code == 400
    typed = " " + number.lower().replace("-", "－") + " "  # as a Chinese input method may give it
    response = client.post(f"/complaints/{b.pk}/move/", {"to_case": typed, "reason": "合并"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.case_id == a.case_id
    detail = client.get(f"/complaints/{b.pk}/").content.decode()
    assert "调整所属案件" in detail and "合并" in detail


def test_qr_code_is_an_svg_of_the_form_url(client, estates, town_user, other_town_user):
    login(client, town_user)
    response = client.get(f"/complaints/estates/{estates['haiyang_1'].pk}/qr/", {"format": "svg"})
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    page = client.get(f"/complaints/estates/{estates['haiyang_1'].pk}/qr/")
    assert f"/complaints/new/?estate={estates['haiyang_1'].pk}" in page.content.decode()
    login(client, other_town_user)
    assert client.get(f"/complaints/estates/{estates['haiyang_1'].pk}/qr/").status_code == 404


def test_statistics_count_unsatisfied_by_town_and_channel(client, estates, county_user, town_user):
    a = complaint(estates["haiyang_1"], channel="12345", reference="GD1")
    complaint(estates["wanan_1"])
    services.complaint_reply(complaint_id=a.pk, user=county_user, reply="已处理", method="phone")
    Complaint.objects.filter(pk=a.pk).update(satisfaction="unsatisfied")
    login(client, county_user)
    response = client.get("/complaints/statistics/")
    assert response.status_code == 200
    towns = {r["name"]: r for r in response.context["by_town"]}
    assert towns["海阳镇"]["unsatisfied"] == 1 and towns["海阳镇"]["satisfaction_rate"] == 0.0
    assert towns["万安镇"]["total"] == 1
    channels = {r["name"]: r["total"] for r in response.context["by_channel"]}
    assert channels == {"12345热线": 1, "网上投诉": 1}
    assert client.get("/complaints/statistics/", {"export": "xlsx"}).status_code == 200
    login(client, town_user)
    assert [r["name"] for r in client.get("/complaints/statistics/").context["by_town"]] == ["海阳镇"]


def test_statistics_keep_towns_of_the_same_name_apart_and_add_up(client, tree, estates, city_user,
                                                                  django_assert_num_queries):
    # two counties of one city each have a 海阳镇: the city's table names each with its county
    from communities.models import Region

    Region.objects.filter(pk=tree["yuzhong"].pk).update(name="海阳镇")
    complaint(estates["haiyang_1"], channel="12345", reference="GD1")
    complaint(estates["haiyang_2"])
    complaint(estates["tunxi_1"])
    complaint(estates["wanan_1"], channel="12345", reference="GD2")
    login(client, city_user)
    with django_assert_num_queries(2):  # the complaints grouped once by town and channel, the towns' names
        stats = selectors.complaint_statistics(user=city_user)
    towns = {r["name"]: r["total"] for r in stats["by_town"]}
    assert towns == {"海阳镇（休宁县）": 2, "海阳镇（屯溪区）": 1, "万安镇": 1}
    assert {r["name"]: r["total"] for r in stats["by_channel"]} == {"12345热线": 2, "网上投诉": 2}
    assert sum(towns.values()) == sum(r["total"] for r in stats["by_channel"]) == stats["total"]["total"] == 4
    assert client.get("/complaints/statistics/").context["total"]["total"] == 4
