"""Pages and API: scoping (another town's vote → 404), the owner's ballot page by code, rate
limits, ballots hidden before close, masked personal data, the public results."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.conftest import login
from tests.factories import UserFactory
from tests.rectification.factories import png
from votes import services
from votes.models import Ballot, VoteStatus

from .conftest import all_choices, make_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(open_vote, community_user):
    return {i.unit.unit: i.code for i in services.ballot_codes_issue(user=community_user, vote_id=open_vote.pk)}


def test_vote_pages_and_api_of_another_town_are_404(client, api_client, open_vote, other_town_user):
    login(client, other_town_user)
    assert client.get(f"/votes/{open_vote.pk}/").status_code == 404
    assert client.post(f"/votes/{open_vote.pk}/close/").status_code == 404
    assert client.get(f"/votes/{open_vote.pk}/paper/").status_code == 404
    assert client.get(f"/votes/estates/{open_vote.estate_id}/owners/").status_code == 404
    api_client.force_authenticate(other_town_user)
    assert api_client.get(f"/api/v1/votes/{open_vote.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/votes/{open_vote.pk}/events/").status_code == 404
    assert api_client.get("/api/v1/votes/").json()["count"] == 0


def test_county_sees_every_vote_in_its_scope(client, api_client, open_vote, county_user, django_assert_max_num_queries):
    login(client, county_user)
    with django_assert_max_num_queries(12):
        response = client.get("/votes/")
    assert open_vote.title in response.content.decode()
    assert client.get(f"/votes/{open_vote.pk}/").status_code == 200
    api_client.force_authenticate(county_user)
    assert api_client.get("/api/v1/votes/").json()["count"] == 1


def test_api_detail_has_turnout_and_no_ballots_before_close(api_client, open_vote, county_user, codes):
    services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote, "no"))
    api_client.force_authenticate(county_user)
    body = api_client.get(f"/api/v1/votes/{open_vote.pk}/").json()
    assert body["turnout"]["owners"] == 1 and body["turnout"]["area"] == "100.00"
    assert body["ballots"] == []
    events = api_client.get(f"/api/v1/votes/{open_vote.pk}/events/").json()
    assert "no" not in str([e["data"] for e in events if e["kind"] == "ballot_cast"]).replace("note", "")


def test_api_lists_ballots_after_close(api_client, open_vote, county_user, community_user, codes):
    for code in codes.values():
        services.ballot_cast(code=code, choices=all_choices(open_vote, "yes"))
    services.vote_close(user=community_user, vote_id=open_vote.pk)
    api_client.force_authenticate(county_user)
    body = api_client.get(f"/api/v1/votes/{open_vote.pk}/").json()
    assert body["status"] == "closed" and len(body["ballots"]) == 4
    assert body["matters"][0]["passed"] is True


def test_owner_votes_by_code_and_changes_it(client, open_vote, codes):
    response = client.post("/votes/b/", {"code": codes["1-101"]})
    assert response.status_code == 302 and response["Location"] == "/votes/b/vote/"
    page = client.get("/votes/b/vote/")
    assert "1-101" in page.content.decode()
    matter = open_vote.matters.get()
    assert client.post("/votes/b/vote/", {f"m{matter.pk}": "yes"}).status_code == 200
    assert client.post("/votes/b/vote/", {f"m{matter.pk}": "no", "unit": "999"}).status_code == 200
    ballot = Ballot.objects.get(vote=open_vote)
    assert ballot.unit.unit == "1-101" and ballot.choices.get().choice == "no" and ballot.changes == 1
    # the session keeps the code's hash, never the code
    assert codes["1-101"] not in str(dict(client.session))


def test_the_ballot_page_shows_only_the_owners_own_choice(client, open_vote, codes):
    matter = open_vote.matters.get()
    services.ballot_cast(code=codes["1-102"], choices={str(matter.pk): "abstain"})
    client.post("/votes/b/", {"code": codes["1-101"]})
    html = client.get("/votes/b/vote/").content.decode()
    assert "checked" not in html and "1-102" not in html


def test_a_wrong_code_is_404_and_the_page_is_rate_limited(client, open_vote, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "ballot_ip": (3, 3600)}
    assert client.post("/votes/b/", {"code": "AAAAA-BBBBB"}).status_code == 404
    assert client.post("/votes/b/", {"code": "AAAAA-BBBBC"}).status_code == 404
    assert client.post("/votes/b/", {"code": "AAAAA-BBBBD"}).status_code == 404
    response = client.post("/votes/b/", {"code": "AAAAA-BBBBE"})
    assert response.status_code == 429 and "次数过多" in response.content.decode()


def test_a_bad_ballot_is_a_chinese_400_not_a_500(client, open_vote, codes):
    client.post("/votes/b/", {"code": codes["1-101"]})
    response = client.post("/votes/b/vote/", {})
    assert response.status_code == 400 and "请对每一项" in response.content.decode()


def test_paper_ballot_page(client, open_vote, community_user, town_user):
    login(client, community_user)
    unit = open_vote.estate.owner_units.get(unit="1-201")
    matter = open_vote.matters.get()
    response = client.post(f"/votes/{open_vote.pk}/paper/", {"unit": unit.pk, f"m{matter.pk}": "yes", "photo": png()})
    assert response.status_code == 302
    ballot = Ballot.objects.get(vote=open_vote, unit=unit)
    assert ballot.channel == "paper" and ballot.photo
    assert client.get(f"/votes/ballots/{ballot.pk}/photo/").status_code == 200
    # the photo shows the choices: other staff see it only once the vote closed
    login(client, town_user)
    assert client.get(f"/votes/ballots/{ballot.pk}/photo/").status_code == 404
    login(client, community_user)
    again = client.post(f"/votes/{open_vote.pk}/paper/", {"unit": unit.pk, f"m{matter.pk}": "no", "photo": png()})
    assert again.status_code == 400 and "每户只计一票" in again.content.decode()


def test_staff_detail_does_not_show_choices_before_close(client, open_vote, community_user, codes):
    services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote, "no"))
    login(client, community_user)
    html = client.get(f"/votes/{open_vote.pk}/").content.decode()
    assert "电子投票" in html and "反对" not in html and "同意" not in html.split("表决日志")[1]


def test_register_masks_names_for_the_city_and_shows_them_to_the_community(client, register, estates, community_user,
                                                                          city_user):
    estate = estates["haiyang_1"]
    login(client, community_user)
    assert "张三、李四" in client.get(f"/votes/estates/{estate.pk}/owners/").content.decode()
    login(client, city_user)
    html = client.get(f"/votes/estates/{estate.pk}/owners/").content.decode()
    assert "张三" not in html and "张*" in html and "138****8000" in html


def test_enterprise_user_cannot_see_the_register_or_votes(client, open_vote, enterprise_user):
    login(client, enterprise_user)
    assert client.get(f"/votes/estates/{open_vote.estate_id}/owners/").status_code == 404
    assert client.get(f"/votes/{open_vote.pk}/").status_code == 404


def test_register_add_page(client, estates, community_user):
    login(client, community_user)
    estate = estates["haiyang_1"]
    response = client.post(f"/votes/estates/{estate.pk}/owners/",
                           {"unit": "2-301", "owner_names": "王五，赵六", "area": "88.5", "phone": ""})
    assert response.status_code == 302
    assert estate.owner_units.get(unit="2-301").area == 88.5
    bad = client.post(f"/votes/estates/{estate.pk}/owners/", {"unit": "2-302", "owner_names": "王五", "area": "-1"})
    assert bad.status_code == 400


def test_create_add_matter_open_pages(client, register, estates, community_user):
    login(client, community_user)
    closes = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/votes/new/", {"estate": estates["haiyang_1"].pk, "title": "续聘表决", "closes_at": closes})
    assert response.status_code == 302
    vote_id = int(response["Location"].rstrip("/").split("/")[-1])
    renew = (timezone.localdate() + timedelta(days=1000)).isoformat()
    assert client.post(f"/votes/{vote_id}/matters/", {"kind": "renew", "title": "续聘", "notice_days": 60,
                                                      "renew_until": renew}).status_code == 302
    assert client.post(f"/votes/{vote_id}/open/").status_code == 302
    printed = client.post(f"/votes/{vote_id}/codes/")
    assert printed.content.decode().count('data-testid="notice"') == 4


def test_public_estate_page_shows_counts_only(client, open_vote, community_user, codes):
    for unit, code in codes.items():
        services.ballot_cast(code=code, choices=all_choices(open_vote, "no" if unit == "1-202" else "yes"))
    services.vote_close(user=community_user, vote_id=open_vote.pk)
    html = client.get(f"/votes/public/estates/{open_vote.estate_id}/").content.decode()
    assert "通过" in html and "300.00㎡ / 3户" in html
    assert "1-101" not in html and "张三" not in html


def test_credit_file_panel_lists_decisions_in_scope(client, register, estates, county_user, other_town_user):
    vote = make_vote(user=county_user, estate=estates["haiyang_1"], new_manager_name="业委会")
    codes = {i.unit.unit: i.code for i in services.ballot_codes_issue(user=county_user, vote_id=vote.pk)}
    for code in codes.values():
        services.ballot_cast(code=code, choices=all_choices(vote, "yes"))
    services.vote_close(user=county_user, vote_id=vote.pk)
    enterprise = estates["haiyang_1"].enterprise
    login(client, county_user)
    assert "解聘物业服务企业" in client.get(f"/votes/enterprises/{enterprise.pk}/decisions/").content.decode()
    assert f"/votes/enterprises/{enterprise.pk}/decisions/" in client.get(f"/enterprises/{enterprise.pk}/credit/").content.decode()
    record = vote.matters.get().exit_record
    assert f"/votes/{vote.pk}/" in client.get(f"/enterprises/exits/{record.pk}/").content.decode()
    login(client, other_town_user)
    assert "暂无业主共同决定" in client.get(f"/votes/enterprises/{enterprise.pk}/decisions/").content.decode()


def test_read_only_roles_cannot_organise(client, tree, open_vote):
    city = UserFactory(username="city2", role=Role.CITY, region=tree["city"])
    login(client, city)
    assert client.post(f"/votes/{open_vote.pk}/close/").status_code == 403
    assert open_vote.__class__.objects.get(pk=open_vote.pk).status == VoteStatus.OPEN
