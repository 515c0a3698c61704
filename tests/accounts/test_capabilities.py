"""The one permission table (accounts.capabilities): it is total, `require` refuses each role the
table does not list with a 403, the API's permission class and the templates read it, and no page
offers a demo user a link that then answers 403."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.template import Context, Template
from django.test import Client

from accounts import capabilities
from accounts.capabilities import CAPABILITIES, OWN_UNIT_CAPABILITIES, TABLE, can, require
from accounts.models import Role, User
from core.errors import PermissionDenied
from tests.conftest import login
from tests.factories import UserFactory

ROLE_FIXTURES = {
    Role.COUNTY_GROUP: "county_user", Role.COUNTY_OFFICE: "office_user", Role.TOWN: "town_user",
    Role.COMMUNITY: "community_user", Role.ENTERPRISE: "enterprise_user", Role.CITY: "city_user",
    Role.DISCIPLINE: "discipline_user",
}


def test_the_table_is_total():
    assert set(TABLE) == set(Role.values), "every role has a row"
    for role, granted in TABLE.items():
        assert granted <= set(CAPABILITIES), (role, granted - set(CAPABILITIES))
    granted_somewhere = set().union(*TABLE.values())
    assert granted_somewhere == set(CAPABILITIES), "every capability is held by some role"
    assert OWN_UNIT_CAPABILITIES <= set(CAPABILITIES)
    for name in CAPABILITIES:
        entity, _, action = name.partition(".")
        assert entity and action, name


def test_every_transition_has_its_capability():
    from rectification.states import TRANSITIONS

    for transition in TRANSITIONS.values():
        assert transition.capability in CAPABILITIES, transition.name


def test_an_unknown_capability_is_an_error(county_user):
    with pytest.raises(KeyError):
        can(county_user, "case.clsoe")


def test_read_only_roles_hold_no_write():
    for role in (Role.CITY, Role.DISCIPLINE):
        assert "data.write" not in TABLE[role]
        assert not any(c.startswith("case.") for c in TABLE[role])


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSADMIN])
def test_require_refuses_each_role_without_the_capability_with_a_403(request, role):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    for capability in sorted(CAPABILITIES):
        if capability in TABLE[role]:
            require(user, capability)
            assert can(user, capability)
            continue
        with pytest.raises(PermissionDenied) as refused:
            require(user, capability)
        assert refused.value.status_code == 403
        assert refused.value.message.startswith("只有") and CAPABILITIES[capability] in refused.value.message


def test_require_keeps_a_callers_message(city_user):
    with pytest.raises(PermissionDenied, match="只读账号不能办理案件。"):
        require(city_user, "case.close", message="只读账号不能办理案件。")


def test_superusers_and_the_system_administrator(tree):
    admin = UserFactory(role=Role.SYSADMIN)
    superuser = UserFactory(role=Role.COMMUNITY, region=tree["xiuyang"], is_superuser=True)
    for capability in CAPABILITIES:
        assert can(admin, capability) == (capability not in OWN_UNIT_CAPABILITIES), capability
    # a superuser holds everything but acting as a unit or an enterprise it is not
    assert can(superuser, "case.close") and can(superuser, "credit.export")
    assert can(superuser, "report.submit_unit")  # its role's row: a community
    assert not can(superuser, "report.submit_enterprise")
    assert not superuser.is_read_only


def test_anonymous_and_none_hold_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not can(None, "dashboard.view")
    assert not can(AnonymousUser(), "dashboard.view")


def test_is_read_only_reads_the_table(city_user, discipline_user, town_user):
    assert city_user.is_read_only and discipline_user.is_read_only and not town_user.is_read_only
    assert city_user.can("report.statistics") and not discipline_user.can("report.statistics")


def test_the_two_review_rules_stay_two_capabilities():
    """Disclosures of public revenue are reviewed by towns too; monthly reports only by the county."""
    assert Role.TOWN in capabilities.roles_with("revenue.review")
    assert Role.TOWN not in capabilities.roles_with("report.review_unit")


def test_the_template_filter(county_user, city_user):
    template = Template('{% load capabilities %}{% if user|can:"case.close" %}销号{% else %}无{% endif %}')
    assert template.render(Context({"user": county_user})) == "销号"
    assert template.render(Context({"user": city_user})) == "无"


def test_the_api_permission_reads_the_viewsets_capabilities(api_client, estates, town_user, community_user):
    """public_revenue's disclosures: a town (revenue.review) may review, a community may not."""
    login(api_client, community_user)
    response = api_client.post("/api/v1/disclosures/1/review/", {}, format="json")
    assert response.status_code == 403
    login(api_client, town_user)
    response = api_client.post("/api/v1/disclosures/999999/review/", {}, format="json")
    assert response.status_code == 404  # allowed through, then scoped


# ---------------------------------------------------------------------------------------------
# The crawler: no page offers a demo user a link that ends in 403

DEMO_USERS = ["demo-county", "demo-office", "demo-town", "demo-community", "demo-enterprise", "demo-city",
              "demo-discipline", "demo-admin"]
START_PAGES = ["/accounts/home/", "/rectification/", "/complaints/", "/inspections/", "/enterprises/", "/reporting/",
               "/revenue/"]
SKIP = re.compile(r"logout|export|download|/admin/|/api/|/static/|/media/|/files?/|\.xlsx|\.csv|/public/|/p/")
MAX_PAGES_PER_USER = 70


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                self.links.append(href)


def _shape(url: str) -> str:
    """One page per shape (a detail page of any case is the same page for permissions)."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)




@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_link_offered_to_a_demo_user_ends_in_403(demo_county, django_db_blocker, username):
    with django_db_blocker.unblock():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        queue = deque((url, "") for url in START_PAGES)
        seen_shapes, fetched, refused = set(), 0, []
        while queue and fetched < MAX_PAGES_PER_USER:
            url, found_on = queue.popleft()
            shape = _shape(url)
            if shape in seen_shapes:
                continue
            seen_shapes.add(shape)
            response = client.get(url)
            fetched += 1
            if response.status_code == 403:
                refused.append(f"{url} (linked from {found_on or 'start'})")
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Links()
            parser.feed(response.content.decode())
            for href in parser.links:
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.netloc and parts.netloc != "testserver" or SKIP.search(parts.path + "?" + parts.query):
                    continue
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), url))
        assert fetched > 5, username
        assert refused == [], f"{username} is offered links that answer 403: {refused}"
