from estate_registers.models import ReviewStatus
from estate_registers.registry import REGISTERS

from .test_views import _one_of_each


def test_each_register_is_listed_in_scope_and_404_for_another_town(api_client, town_user, other_town_user, estates):
    rows = _one_of_each(town_user, estates["haiyang_1"])
    api_client.force_authenticate(town_user)
    for slug, row in rows.items():
        listed = api_client.get(f"/api/v1/{slug}/").json()
        assert [r["id"] for r in listed["results"]] == [row.pk], slug
        detail = api_client.get(f"/api/v1/{slug}/{row.pk}/").json()
        assert detail["estate_name"] == "海阳花园" and detail["status"] == "submitted"
    api_client.force_authenticate(other_town_user)
    for slug, row in rows.items():
        assert api_client.get(f"/api/v1/{slug}/").json()["results"] == []
        assert api_client.get(f"/api/v1/{slug}/{row.pk}/").status_code == 404
        assert api_client.post(f"/api/v1/{slug}/{row.pk}/review/", {"approve": True}).status_code in (403, 404)
    assert set(rows) == set(REGISTERS)


def test_review_through_the_api_is_the_towns(api_client, town_user, county_user, estates):
    row = _one_of_each(county_user, estates["haiyang_1"])["lifts"]
    api_client.force_authenticate(county_user)
    assert api_client.post(f"/api/v1/lifts/{row.pk}/review/", {"approve": True}, format="json").status_code == 403
    api_client.force_authenticate(town_user)
    refused = api_client.post(f"/api/v1/lifts/{row.pk}/review/", {"approve": False}, format="json")
    assert refused.status_code == 400 and "退回原因" in refused.json()["detail"]
    done = api_client.post(f"/api/v1/lifts/{row.pk}/review/", {"approve": False, "reason": "证号有误"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == ReviewStatus.RETURNED
    assert api_client.get("/api/v1/lifts/?status=returned").json()["count"] == 1


def test_list_query_budget(api_client, county_user, estates, django_assert_max_num_queries):
    for n, key in enumerate(["haiyang_1", "haiyang_2", "wanan_1"]):
        _one_of_each(county_user, estates[key], n)
    api_client.force_authenticate(county_user)
    for slug in REGISTERS:
        with django_assert_max_num_queries(6):
            assert api_client.get(f"/api/v1/{slug}/").json()["count"] == 3
