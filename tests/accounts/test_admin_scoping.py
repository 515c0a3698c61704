"""The admin goes through the same scoping: a county staff user edits only its own county."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Role
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def county_staff(tree):
    user = UserFactory(username="county-staff", role=Role.COUNTY_GROUP, region=tree["county"], is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["communities", "enterprises"]))
    return user


@pytest.mark.django_db
class TestAdminScoping:
    def test_changelist_is_scoped(self, client, county_staff, estates):
        body = login(client, county_staff).get("/admin/communities/estate/").content.decode()
        assert "海阳花园" in body
        assert "老街府" not in body

    def test_change_page_of_other_county_is_not_reachable(self, client, county_staff, estates):
        response = login(client, county_staff).get(f"/admin/communities/estate/{estates['tunxi_1'].pk}/change/")
        # Django's admin redirects to the index with a "does not exist" message for rows outside the queryset.
        assert response.status_code == 302
        assert "老街府" not in client.get(response["Location"]).content.decode()

    def test_enterprise_admin_refuses_a_bad_credit_code(self, client, county_staff, tree):
        response = login(client, county_staff).post(
            "/admin/enterprises/enterprise/add/",
            {"name": "新物业", "credit_code": "914403001922038217", "legal_representative": "李四"},
        )
        assert response.status_code == 200
        assert "统一社会信用代码校验位错误" in response.content.decode()
