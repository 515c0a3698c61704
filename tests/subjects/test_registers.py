"""The registers' pages and API: scoped like estates (another town's row: 404), entered by the
community (committees) and the town or county (developers), bad input a Chinese 4xx."""

from datetime import date

import pytest
from django.urls import reverse

from communities.models import OwnersBodyStatus
from subjects import services
from subjects.models import CommitteeMember, Developer, OwnersCommittee, ProjectObligation, SubjectEvent
from tests.conftest import login
from tests.factories import EstateFactory, valid_credit_code

from .conftest import committee_for


@pytest.fixture
def committees(estates, county_user):
    return {"haiyang": committee_for(county_user, estates["haiyang_1"]),
            "wanan": committee_for(county_user, estates["wanan_1"])}


def test_community_records_a_committee_with_members(estates, community_user, client):
    login(client, community_user)
    estate = estates["haiyang_1"]
    response = client.post(reverse("subjects:committee-create"), {
        "estate": estate.pk, "kind": "owners_committee", "term_start": "2026-01-01", "term_end": "2030-12-31",
        "filed_on": "2026-02-01", "has_seal": "on", "has_party_organisation": "on"})
    assert response.status_code == 302
    committee = OwnersCommittee.objects.get(estate=estate)
    response = client.post(reverse("subjects:member-add", args=[committee.pk]),
                           {"name": "王建国", "role": "director", "is_party_member": "on"})
    assert response.status_code == 302
    member = CommitteeMember.objects.get(committee=committee)
    assert member.term_end == date(2030, 12, 31) and member.is_party_member
    # one 主任 per committee: a Chinese message and 409
    response = client.post(reverse("subjects:member-add", args=[committee.pk]), {"name": "李秀英", "role": "director"})
    assert response.status_code == 409 and "已有主任" in response.content.decode()
    estate.refresh_from_db()
    assert estate.owners_body_status == OwnersBodyStatus.COMMITTEE and estate.has_party_organisation
    assert SubjectEvent.objects.filter(record_type="committee", record_id=committee.pk).count() == 2
    page = client.get(reverse("subjects:committee-detail", args=[committee.pk])).content.decode()
    assert "王建国" in page and "2030-12-31" in page


def test_committee_bad_input_is_a_chinese_400(estates, community_user, client):
    login(client, community_user)
    response = client.post(reverse("subjects:committee-create"), {
        "estate": estates["haiyang_1"].pk, "kind": "owners_committee", "term_start": "2026-01-01",
        "term_end": "2025-12-31"})
    assert response.status_code == 400 and "任期届满日期不能早于开始日期" in response.content.decode()
    assert not OwnersCommittee.objects.exists()


def test_community_cannot_record_another_communitys_committee(estates, community_user, client):
    login(client, community_user)
    response = client.post(reverse("subjects:committee-create"), {
        "estate": estates["haiyang_2"].pk, "kind": "owners_committee", "term_start": "2026-01-01",
        "term_end": "2030-12-31"})
    assert response.status_code == 400  # not a choice: the estate is outside the community
    assert not OwnersCommittee.objects.exists()


def test_renewal_keeps_the_old_committee_as_history(estates, county_user):
    old = committee_for(county_user, estates["haiyang_1"], term_end=date(2026, 1, 31))
    new = committee_for(county_user, estates["haiyang_1"], term_end=date(2031, 1, 31))
    old.refresh_from_db()
    assert not old.is_current and new.is_current
    estates["haiyang_1"].refresh_from_db()
    assert estates["haiyang_1"].owners_body_term_end == date(2031, 1, 31)


def test_other_towns_committee_is_404_on_page_and_api(committees, town_user, client, api_client):
    login(client, town_user)
    login(api_client, town_user)
    own, other = committees["haiyang"], committees["wanan"]
    assert client.get(reverse("subjects:committee-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("subjects:committee-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("subjects:committee-edit", args=[other.pk])).status_code == 404
    assert api_client.get(f"/api/v1/owners-committees/{own.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/owners-committees/{other.pk}/").status_code == 404
    listed = api_client.get("/api/v1/owners-committees/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]


def test_other_towns_developer_is_404_on_page_and_api(developer, wanan_developer, town_user, client, api_client):
    login(client, town_user)
    login(api_client, town_user)
    assert client.get(reverse("subjects:developer-detail", args=[developer.pk])).status_code == 200
    assert client.get(reverse("subjects:developer-detail", args=[wanan_developer.pk])).status_code == 404
    assert client.get(reverse("subjects:developer-edit", args=[wanan_developer.pk])).status_code == 404
    assert api_client.get(f"/api/v1/developers/{wanan_developer.pk}/").status_code == 404
    body = api_client.get("/api/v1/developers/").json()
    assert [row["id"] for row in body["results"]] == [developer.pk]
    assert len(body["results"][0]["projects"][0]["obligations"]) == 7


def test_county_developer_seen_by_the_town_it_builds_in(estates, county_user, town_user, other_town_user, tree):
    developer = services.developer_save(user=county_user, name="县级开发公司", credit_code=valid_credit_code(903),
                                        region=tree["county"])
    services.project_save(user=county_user, developer_id=developer.pk, name="一期", estate_ids=[estates["haiyang_2"].pk])
    assert Developer.objects.visible_to(town_user).filter(pk=developer.pk).exists()
    assert not Developer.objects.visible_to(other_town_user).filter(pk=developer.pk).exists()


def test_developer_credit_code_is_validated(tree, town_user, client):
    login(client, town_user)
    response = client.post(reverse("subjects:developer-create"), {
        "name": "某开发公司", "credit_code": "91341022MA2000001X", "region": tree["haiyang"].pk})
    assert response.status_code == 400 and "统一社会信用代码" in response.content.decode()
    response = client.post(reverse("subjects:developer-create"), {
        "name": "某开发公司", "credit_code": valid_credit_code(77), "region": tree["haiyang"].pk})
    assert response.status_code == 302
    assert Developer.objects.get().credit_code == valid_credit_code(77)


def test_obligation_checklist(developer, town_user, client):
    login(client, town_user)
    obligation = ProjectObligation.objects.get(project__developer=developer, item="handover")
    response = client.post(reverse("subjects:obligation-update", args=[obligation.pk]),
                           {"is_done": "on", "done_on": "2025-06-30", "note": "已移交资料"})
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.is_done and obligation.done_on == date(2025, 6, 30)
    # done without a date: refused, nothing changed
    other = ProjectObligation.objects.get(project__developer=developer, item="tender")
    client.post(reverse("subjects:obligation-update", args=[other.pk]), {"is_done": "on"})
    other.refresh_from_db()
    assert not other.is_done


def test_community_user_cannot_register_developers(tree, community_user, client):
    login(client, community_user)
    assert client.get(reverse("subjects:developer-create")).status_code == 403


def test_list_queries_do_not_grow(estates, county_user, tree, client, django_assert_max_num_queries):
    for n in range(6):
        estate = EstateFactory(name=f"加测小区{n}", community=tree["xiuyang"])
        committee_for(county_user, estate)
    login(client, county_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("subjects:committee-list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("subjects:developer-list")).status_code == 200
