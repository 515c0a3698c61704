"""Region paths in one place: a path's ancestors, its county, and the users over it."""

import pytest

from accounts.models import COUNTY_ROLES, Role
from accounts.regions import users_over
from communities import regions
from tests.factories import UserFactory


def test_ancestors_are_every_prefix_ending_in_a_slash_top_first():
    assert regions.ancestors("340000/341000/341022/") == ["340000/", "340000/341000/", "340000/341000/341022/"]
    assert regions.ancestors("") == []


def test_county_path_is_the_third_level_or_none_above_it():
    assert regions.county_path("340000/341000/341022/341022100/341022100001/") == "340000/341000/341022/"
    assert regions.county_path("340000/341000/341022/") == "340000/341000/341022/"
    assert regions.county_path("340000/341000/") is None


@pytest.mark.django_db
def test_county_of_every_level(tree):
    assert regions.county_of(tree["xiuyang"]) == tree["county"]
    assert regions.county_of(tree["haiyang"]) == tree["county"]
    assert regions.county_of(tree["county"]) == tree["county"]
    assert regions.county_of(tree["laojie"]) == tree["district"]
    assert regions.county_of(tree["city"]) is None


@pytest.mark.django_db
def test_users_over_a_path_are_the_active_users_of_the_roles_at_or_above_it(tree):
    county = UserFactory(username="c", role=Role.COUNTY_GROUP, region=tree["county"])
    UserFactory(username="d", role=Role.COUNTY_GROUP, region=tree["district"])  # another county
    UserFactory(username="e", role=Role.COUNTY_OFFICE, region=tree["county"], is_active=False)
    town = UserFactory(username="t", role=Role.TOWN, region=tree["haiyang"])
    UserFactory(username="w", role=Role.TOWN, region=tree["wanan"])  # a sibling town
    path = tree["xiuyang"].path
    assert list(users_over(path, roles=COUNTY_ROLES)) == [county]
    assert set(users_over(path, roles=[Role.TOWN, Role.COUNTY_GROUP])) == {county, town}
    assert list(users_over(tree["county"].path, roles=[Role.TOWN])) == []
