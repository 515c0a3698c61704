"""Masking per role, encryption at rest, lookup by keyed hash, anonymisation after 24 months."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaints import privacy, services
from complaints.models import Complaint
from complaints.tasks import anonymise_old_complaints
from rectification.models import Case
from tests.conftest import login

from .factories import complaint

pytestmark = pytest.mark.django_db

FULL, MASKED = "13812341234", "138****1234"


@pytest.fixture
def filed(estates):
    return complaint(estates["haiyang_1"], phone=FULL, complainant_name="张三丰")


@pytest.mark.parametrize("role_fixture, sees_full", [
    ("county_user", True), ("office_user", True), ("town_user", True), ("community_user", True),
    ("city_user", False), ("enterprise_user", False),
])
def test_list_and_detail_mask_the_complainant_except_for_handling_roles(client, filed, request, role_fixture, sees_full):
    user = request.getfixturevalue(role_fixture)
    login(client, user)
    for url in ("/complaints/", f"/complaints/{filed.pk}/"):
        body = client.get(url).content.decode()
        if sees_full:
            assert FULL in body and "张三丰" in body
        else:
            assert FULL not in body and "张三丰" not in body
            assert MASKED in body and "张**" in body


def test_discipline_sees_no_complaint_of_an_ordinary_case(client, filed, discipline_user):
    login(client, discipline_user)
    assert client.get(f"/complaints/{filed.pk}/").status_code == 404
    Case.objects.filter(pk=filed.case_id).update(is_corruption_clue=True)
    body = client.get(f"/complaints/{filed.pk}/").content.decode()
    assert MASKED in body and FULL not in body


def _export(client):
    response = client.get("/complaints/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_export_is_full_for_handling_roles_and_masked_for_the_city_and_an_enterprise(
        client, filed, county_user, city_user, enterprise_user):
    login(client, county_user)
    rows = _export(client)
    assert FULL in rows[1] and "张三丰" in rows[1]
    for user in (city_user, enterprise_user):
        login(client, user)
        rows = _export(client)
        assert MASKED in rows[1] and FULL not in rows[1] and "张三丰" not in rows[1]


def test_api_is_full_for_scoped_staff_and_masked_for_the_city_and_an_enterprise(
        api_client, filed, town_user, city_user, enterprise_user):
    api_client.force_authenticate(town_user)
    row = api_client.get("/api/v1/complaints/").json()["results"][0]
    assert row["phone"] == FULL and row["complainant_name"] == "张三丰"
    for user in (city_user, enterprise_user):
        api_client.force_authenticate(user)
        row = api_client.get("/api/v1/complaints/").json()["results"][0]
        assert row["phone"] == MASKED and row["complainant_name"] == "张**"
        detail = api_client.get(f"/api/v1/complaints/{filed.pk}/").json()
        assert detail["phone"] == MASKED and FULL not in str(detail)


def test_only_the_roles_handling_complaints_see_personal_data(tree, county_user, office_user, town_user,
                                                               community_user, city_user, discipline_user,
                                                               enterprise_user):
    from accounts.models import Role
    from tests.factories import UserFactory

    admin = UserFactory(username="sysadmin", role=Role.SYSADMIN)
    for user in (county_user, office_user, town_user, community_user, admin):
        assert privacy.can_see_pii(user), user.role
    for user in (city_user, discipline_user, enterprise_user, None):
        assert not privacy.can_see_pii(user)


def test_the_phone_is_encrypted_at_rest_and_found_by_its_hash(client, estates, county_user):
    first = complaint(estates["haiyang_1"], phone=FULL)
    second = complaint(estates["wanan_1"], phone="138 1234 1234", code="B2")
    complaint(estates["wanan_1"], phone="13900000000", code="B2")
    raw = Complaint.objects.filter(pk=first.pk).values("phone_encrypted", "phone_hash").get()
    assert FULL not in raw["phone_encrypted"] and FULL not in raw["phone_hash"]
    assert privacy.phone_decrypt(raw["phone_encrypted"]) == FULL
    login(client, county_user)
    response = client.get("/complaints/", {"phone": "138-1234-1234"})
    codes = {c.tracking_code for c in response.context["page"]}
    assert codes == {first.tracking_code, second.tracking_code}


def test_the_phone_never_appears_in_a_public_page_or_url(client, filed):
    response = client.get("/complaints/new/done/")
    assert response.status_code == 302  # nothing to show without a submission in this session
    response = client.post("/complaints/track/", {"code": filed.tracking_code, "last4": "1234"})
    assert FULL not in response.content.decode() and "1234" not in response.request["PATH_INFO"]


def test_anonymisation_after_24_months_keeps_the_statistics(estates, county_user):
    old = complaint(estates["haiyang_1"], phone=FULL)
    recent = complaint(estates["haiyang_2"], phone="13900000000")
    for c in (old, recent):
        services.complaint_reply(complaint_id=c.pk, user=county_user, reply="已处理", method="phone")
    Case.objects.filter(pk__in=[old.case_id, recent.case_id]).update(state="closed")
    Complaint.objects.filter(pk=old.pk).update(replied_at=timezone.now() - timedelta(days=25 * 31), satisfaction="satisfied")
    Complaint.objects.filter(pk=recent.pk).update(replied_at=timezone.now() - timedelta(days=300))
    count_before = Case.objects.get(pk=old.case_id).complainant_count
    assert anonymise_old_complaints() == 1
    assert anonymise_old_complaints() == 0  # safe to run twice
    old.refresh_from_db()
    assert old.complainant_name == "" and old.phone_encrypted == "" and old.phone_hash == "" and old.anonymised_at
    assert old.satisfaction == "satisfied" and old.category_id and old.estate_id
    assert Case.objects.get(pk=old.case_id).complainant_count == count_before
    assert Complaint.objects.get(pk=recent.pk).phone_encrypted
    assert old.events.filter(kind="anonymised").count() == 1


def test_anonymisation_period_is_configurable(estates, community_user):
    c = complaint(estates["haiyang_1"], phone=FULL)
    services.complaint_reply(complaint_id=c.pk, user=community_user, reply="已处理", method="phone")
    Case.objects.filter(pk=c.case_id).update(state="closed")
    Complaint.objects.filter(pk=c.pk).update(replied_at=timezone.now() - timedelta(days=100))
    assert anonymise_old_complaints(months=24) == 0
    assert anonymise_old_complaints(months=3) == 1


def test_the_beat_schedule_runs_the_job(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "complaints.tasks.anonymise_old_complaints" in tasks


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800000001", "13800000001"),  # the usual number, returned as it is
    (" 138-0000-0001 ", "13800000001"),
    ("+86 138 0000 0001", "13800000001"),
    ("0086(138)00000001", "13800000001"),
    ("13800000001\n", "13800000001"),  # a line break is taken away, not kept
    ("0559-7512345", "05597512345"),
])
def test_numbers_are_normalised_the_same_whatever_their_form(raw, expected):
    assert privacy.normalise_phone(raw, mobile_only=False) == expected


def test_a_number_that_is_not_one_is_refused():
    for raw in ("12800000001", "１３８００００００００", "138000000011"):
        with pytest.raises(privacy.InvalidPhone):
            privacy.normalise_phone(raw)
