"""The county runs its users (and the city its counties'): create, reassign, disable, within
its scope and never with a role at or above its own; every change a UserEvent; the admin keeps
the same rule."""

import pytest

from accounts.models import Role, User, UserEvent, UserEventKind
from accounts.user_scope import roles_assignable_by, users_managed_by
from tests.conftest import login
from tests.factories import UserFactory


@pytest.mark.django_db
class TestCreate:
    def test_county_creates_a_community_user_for_its_own_town(self, client, county_user, tree):
        response = login(client, county_user).post("/accounts/users/new/", {
            "username": "xiuyang-li", "full_name": "李四", "phone": "13800000001",
            "role": Role.COMMUNITY, "region": tree["xiuyang"].pk})
        assert response.status_code == 200
        password = response.context["password"]
        user = User.objects.get(username="xiuyang-li")
        assert user.region == tree["xiuyang"] and user.role == Role.COMMUNITY and user.must_change_password
        assert user.check_password(password)
        event = UserEvent.objects.get(user=user)
        assert event.kind == UserEventKind.CREATED and event.actor == county_user
        assert event.data["after"]["region"] == "休宁县海阳镇秀阳社区"

    def test_county_cannot_create_for_another_county(self, client, county_user, tree):
        response = login(client, county_user).post("/accounts/users/new/", {
            "username": "laojie-wang", "full_name": "王五", "role": Role.COMMUNITY, "region": tree["laojie"].pk})
        assert response.status_code == 400
        assert not User.objects.filter(username="laojie-wang").exists()

    def test_county_cannot_give_its_own_role_or_a_wider_one(self, client, county_user, tree):
        assert roles_assignable_by(county_user) == [Role.TOWN, Role.COMMUNITY, Role.ENTERPRISE]
        for role, region in [(Role.COUNTY_GROUP, tree["county"]), (Role.CITY, tree["city"]),
                             (Role.SYSADMIN, None), (Role.DISCIPLINE, tree["county"])]:
            response = login(client, county_user).post("/accounts/users/new/", {
                "username": f"x-{role}", "full_name": "越权", "role": role, "region": region.pk if region else ""})
            assert response.status_code == 400
        assert not User.objects.filter(username__startswith="x-").exists()

    def test_the_service_refuses_another_county_too(self, county_user, tree):
        from accounts.services import user_create  # the service itself, under the form
        from core.errors import InvalidInput

        with pytest.raises(InvalidInput, match="不在本辖区"):
            user_create(actor=county_user, username="y", full_name="y", role=Role.TOWN, region=tree["yuzhong"])

    def test_city_creates_county_users_for_its_counties(self, client, city_user, tree):
        response = login(client, city_user).post("/accounts/users/new/", {
            "username": "xiuning-group", "full_name": "县专班", "role": Role.COUNTY_GROUP, "region": tree["county"].pk})
        assert response.status_code == 200
        assert User.objects.get(username="xiuning-group").role == Role.COUNTY_GROUP

    def test_enterprise_user_of_an_enterprise_serving_here(self, client, county_user, estates):
        enterprise = estates["haiyang_1"].enterprise
        response = login(client, county_user).post("/accounts/users/new/", {
            "username": "ent-haiyang", "full_name": "企业联络员", "role": Role.ENTERPRISE, "enterprise": enterprise.pk})
        assert response.status_code == 200
        other = estates["tunxi_1"].enterprise
        response = client.post("/accounts/users/new/", {
            "username": "ent-tunxi", "full_name": "外县企业", "role": Role.ENTERPRISE, "enterprise": other.pk})
        assert response.status_code == 400

    def test_town_and_community_users_may_not(self, client, town_user):
        assert login(client, town_user).get("/accounts/users/").status_code == 403
        assert client.get("/accounts/users/new/").status_code == 403


@pytest.mark.django_db
class TestRunUsers:
    def test_list_shows_only_users_below(self, client, county_user, office_user, town_user, other_town_user,
                                         community_user, tree, django_assert_max_num_queries):
        foreign = UserFactory(username="tunxi-town", role=Role.TOWN, region=tree["yuzhong"])
        for n in range(10):
            UserFactory(username=f"c{n}", role=Role.COMMUNITY, region=tree["chengbei"])
        login(client, county_user)
        with django_assert_max_num_queries(10):
            body = client.get("/accounts/users/").content.decode()
        assert "town-haiyang" in body and "community-xiuyang" in body and "c9" in body
        assert "tunxi-town" not in body and "office" not in body.split("user-list")[1]
        assert client.get(f"/accounts/users/{foreign.pk}/").status_code == 404
        assert client.get(f"/accounts/users/{office_user.pk}/").status_code == 404
        assert set(users_managed_by(county_user)) == {town_user, other_town_user, community_user,
                                                      *User.objects.filter(username__startswith="c")} - {county_user}

    def test_reassign_and_disable_are_logged(self, client, county_user, town_user, tree):
        login(client, county_user)
        response = client.post(f"/accounts/users/{town_user.pk}/", {
            "full_name": "张三", "role": Role.COMMUNITY, "region": tree["chengbei"].pk})
        assert response.status_code == 302
        town_user.refresh_from_db()
        assert town_user.role == Role.COMMUNITY and town_user.region == tree["chengbei"]
        assert client.post(f"/accounts/users/{town_user.pk}/active/", {"active": "0"}).status_code == 400
        client.post(f"/accounts/users/{town_user.pk}/active/", {"active": "0", "reason": "调离岗位"})
        town_user.refresh_from_db()
        assert not town_user.is_active
        kinds = list(UserEvent.objects.filter(user=town_user).values_list("kind", flat=True))
        assert kinds == [UserEventKind.REASSIGNED, UserEventKind.DISABLED]
        page = client.get(f"/accounts/users/{town_user.pk}/").content.decode()
        assert "调离岗位" in page and "休宁县海阳镇 → 休宁县海阳镇城北社区" in page
        # moving a user out of the county is refused
        response = client.post(f"/accounts/users/{town_user.pk}/", {
            "full_name": "张三", "role": Role.COMMUNITY, "region": tree["laojie"].pk})
        assert response.status_code == 400

    def test_disabled_user_cannot_log_in(self, client, county_user, town_user):
        from accounts.services import user_set_active  # the service the page calls

        user_set_active(actor=county_user, user_id=town_user.pk, active=False, reason="离职")
        response = client.post("/accounts/login/", {"username": "town-haiyang", "password": "Test@2025x"})
        assert response.status_code == 200


@pytest.mark.django_db
class TestAdminKeepsTheSameRule:
    def test_admin_lists_only_managed_users_and_refuses_a_wider_role(self, client, county_user, town_user, tree):
        from django.contrib.auth.models import Permission  # the admin's own permission rows

        county_user.is_staff = True
        county_user.save()
        county_user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
        foreign = UserFactory(username="tunxi-town", role=Role.TOWN, region=tree["yuzhong"])
        body = login(client, county_user).get("/admin/accounts/user/").content.decode()
        assert "town-haiyang" in body and "tunxi-town" not in body
        assert client.get(f"/admin/accounts/user/{foreign.pk}/change/").status_code == 302
        page = client.get(f"/admin/accounts/user/{town_user.pk}/change/").content.decode()
        assert 'name="is_superuser"' not in page
        response = client.post(f"/admin/accounts/user/{town_user.pk}/change/", {
            "username": "town-haiyang", "first_name": "", "last_name": "", "email": "", "is_active": "on",
            "role": Role.COUNTY_GROUP, "region": tree["county"].pk, "enterprise": "", "phone": "",
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
        assert response.status_code == 200 and "只能设置本级以下的角色" in response.content.decode()
        town_user.refresh_from_db()
        assert town_user.role == Role.TOWN
