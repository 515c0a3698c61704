"""组织方: a vote convened by the estate's current owners' committee (recorded by a community
officer on its behalf) or by the community / street; refused for another estate's committee, a
former one or one past its term; shown on the vote's pages, the public results, the API and the
committee's page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput
from tests.conftest import login
from votes import services
from votes.models import CONVENED_BY_COMMUNITY, Vote, VoteEvent, VoteEventKind

from .conftest import all_choices, committee_for

pytestmark = pytest.mark.django_db


def _create(user, estate, **kwargs) -> Vote:
    return services.vote_create(user=user, estate_id=estate.pk, title="2026年业主大会",
                                closes_at=timezone.now() + timedelta(days=7), **kwargs)


def _post(estate, committee="") -> dict:
    closes = timezone.localtime(timezone.now() + timedelta(days=7))
    return {"estate": estate.pk, "committee": committee, "title": "关于续聘物业服务企业的业主大会",
            "closes_at": f"{closes:%Y-%m-%dT%H:%M}"}


def test_vote_convened_by_the_estates_current_committee(client, api_client, estates, community_user, committee):
    vote = _create(community_user, estates["haiyang_1"], committee_id=committee.pk)
    vote.refresh_from_db()
    assert vote.committee == committee and vote.organiser == community_user
    assert vote.convened_by == "海阳花园业主委员会"
    event = VoteEvent.objects.get(vote=vote, kind=VoteEventKind.CREATED)
    assert event.note == "组织方：海阳花园业主委员会" and event.data["committee_id"] == committee.pk

    login(client, community_user)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert "组织方：" in page and "海阳花园业主委员会" in page
    assert f"/subjects/committees/{committee.pk}/" in page
    assert "海阳花园业主委员会" in client.get("/votes/").content.decode()

    api_client.force_authenticate(community_user)
    body = api_client.get(f"/api/v1/votes/{vote.pk}/").json()
    assert body["committee"] == committee.pk and body["convened_by"] == "海阳花园业主委员会"
    listed = api_client.get("/api/v1/votes/").json()["results"][0]
    assert listed["committee"] == committee.pk and listed["convened_by"] == "海阳花园业主委员会"


def test_without_a_committee_the_community_convenes(client, api_client, estates, community_user, committee):
    vote = _create(community_user, estates["haiyang_1"])
    assert vote.committee is None and vote.convened_by == CONVENED_BY_COMMUNITY == "社区/街道组织"
    assert VoteEvent.objects.get(vote=vote).note == "组织方：社区/街道组织"
    login(client, community_user)
    assert "组织方：社区/街道组织" in client.get(f"/votes/{vote.pk}/").content.decode()
    api_client.force_authenticate(community_user)
    body = api_client.get(f"/api/v1/votes/{vote.pk}/").json()
    assert body["committee"] is None and body["convened_by"] == "社区/街道组织"


def test_another_estates_committee_is_refused_and_nothing_saved(estates, county_user, town_user, committee):
    other = committee_for(county_user, estates["haiyang_2"])
    with pytest.raises(InvalidInput) as refused:
        _create(town_user, estates["haiyang_1"], committee_id=other.pk)
    assert refused.value.message == "所选业委会（物管会）不是海阳花园的，不能作为本次表决的组织方。"
    with pytest.raises(InvalidInput):  # an unknown id reads the same
        _create(town_user, estates["haiyang_1"], committee_id=987654)
    assert not Vote.objects.exists() and not VoteEvent.objects.exists()


def test_a_former_committee_is_refused(estates, county_user, community_user, committee):
    committee_for(county_user, estates["haiyang_1"])  # 换届: the fixture's committee is now history
    with pytest.raises(InvalidInput) as refused:
        _create(community_user, estates["haiyang_1"], committee_id=committee.pk)
    assert "已换届" in refused.value.message
    assert not Vote.objects.exists()


def test_a_committee_past_its_term_is_refused(estates, county_user, community_user):
    overdue = committee_for(county_user, estates["haiyang_1"], term_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        _create(community_user, estates["haiyang_1"], committee_id=overdue.pk)
    assert "届满" in refused.value.message and "社区/街道组织" in refused.value.message
    assert not Vote.objects.exists()


def test_the_form_offers_the_current_committee_and_saves_it(client, estates, community_user, committee):
    login(client, community_user)
    page = client.get(f"/votes/new/?estate={estates['haiyang_1'].pk}&committee={committee.pk}").content.decode()
    assert "社区/街道组织" in page
    assert f"海阳花园业主委员会（任期 {committee.term_start:%Y-%m-%d} 至 {committee.term_end:%Y-%m-%d}）" in page
    response = client.post("/votes/new/", _post(estates["haiyang_1"], committee.pk))
    assert response.status_code == 302
    assert Vote.objects.get().committee == committee
    response = client.post("/votes/new/", _post(estates["haiyang_1"]))
    assert response.status_code == 302
    assert Vote.objects.filter(committee=None).count() == 1


def test_the_form_refuses_another_estates_committee_with_the_services_message(client, estates, county_user,
                                                                              town_user, committee):
    other = committee_for(county_user, estates["haiyang_2"])  # in the town's scope, but not 海阳花园's
    login(client, town_user)
    response = client.post("/votes/new/", _post(estates["haiyang_1"], other.pk))
    assert response.status_code == 400
    assert "所选业委会（物管会）不是海阳花园的" in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "987654", "99999999999999999999", "-1", "1.5", "former", "outside"])
def test_a_bad_committee_id_in_the_post_is_400_in_chinese(client, estates, county_user, community_user, committee, bad):
    if bad == "former":
        committee_for(county_user, estates["haiyang_1"])
        bad = committee.pk
    elif bad == "outside":  # 万安镇's committee: not in the community officer's scope
        bad = committee_for(county_user, estates["wanan_1"]).pk
    login(client, community_user)
    response = client.post("/votes/new/", _post(estates["haiyang_1"], bad))
    assert response.status_code == 400
    assert "所选业委会（物管会）不存在、已换届或不在您的管辖范围内" in response.content.decode()
    assert not Vote.objects.exists()


def test_public_results_name_the_convening_body_not_the_officer(client, register, estates, community_user, committee):
    vote = _create(community_user, estates["haiyang_1"], committee_id=committee.pk)
    services.matter_add(user=community_user, vote_id=vote.pk, kind="other", title="是否增设充电桩")
    services.vote_open(user=community_user, vote_id=vote.pk)
    for issued in services.ballot_codes_issue(user=community_user, vote_id=vote.pk):
        services.ballot_cast(code=issued.code, choices=all_choices(vote))
    services.vote_close(user=community_user, vote_id=vote.pk)
    page = client.get(f"/votes/public/estates/{estates['haiyang_1'].pk}/").content.decode()
    assert "组织方：海阳花园业主委员会" in page
    assert community_user.username not in page and "张三" not in page


def test_the_committee_page_lists_its_votes(client, estates, county_user, community_user, other_town_user, committee):
    vote = _create(community_user, estates["haiyang_1"], committee_id=committee.pk)
    by_community = _create(community_user, estates["haiyang_1"])
    by_community.title = "社区组织的表决"
    by_community.save(update_fields=["title"])
    login(client, county_user)
    page = client.get(f"/subjects/committees/{committee.pk}/").content.decode()
    assert f'href="/votes/{vote.pk}/"' in page and vote.title in page
    assert "社区组织的表决" not in page
    assert f"/votes/new/?estate={estates['haiyang_1'].pk}&amp;committee={committee.pk}" in page
    # after 换届 the former committee keeps its votes; the new one starts with none
    successor = committee_for(county_user, estates["haiyang_1"])
    assert f'href="/votes/{vote.pk}/"' in client.get(f"/subjects/committees/{committee.pk}/").content.decode()
    assert f'href="/votes/{vote.pk}/"' not in client.get(f"/subjects/committees/{successor.pk}/").content.decode()
    login(client, other_town_user)
    assert client.get(f"/subjects/committees/{committee.pk}/").status_code == 404


def test_vote_list_queries_do_not_grow_with_committee_votes(client, estates, county_user, community_user, committee,
                                                            django_assert_max_num_queries):
    for _ in range(3):
        _create(community_user, estates["haiyang_1"], committee_id=committee.pk)
    _create(community_user, estates["haiyang_1"])
    login(client, county_user)
    with django_assert_max_num_queries(12):
        page = client.get("/votes/").content.decode()
    assert page.count("海阳花园业主委员会") == 3 and page.count("社区/街道组织") == 1
