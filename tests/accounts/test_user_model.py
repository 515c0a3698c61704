import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User


@pytest.mark.django_db
class TestUserClean:
    def test_town_officer_needs_a_town(self, tree):
        with pytest.raises(ValidationError) as info:
            User(username="x", role=Role.TOWN, region=tree["county"]).clean()
        assert info.value.message_dict["region"] == ["“镇/街道”用户的所属行政区划应为镇/街道级。"]
        User(username="x", role=Role.TOWN, region=tree["haiyang"]).clean()

    def test_region_role_needs_a_region(self, tree):
        with pytest.raises(ValidationError) as info:
            User(username="x", role=Role.COUNTY_GROUP).clean()
        assert "必须指定所属行政区划" in info.value.message_dict["region"][0]

    def test_enterprise_user_needs_an_enterprise_and_no_region(self, estates, tree):
        with pytest.raises(ValidationError):
            User(username="x", role=Role.ENTERPRISE).clean()
        enterprise = estates["haiyang_1"].enterprise
        with pytest.raises(ValidationError):
            User(username="x", role=Role.ENTERPRISE, enterprise=enterprise, region=tree["county"]).clean()
        User(username="x", role=Role.ENTERPRISE, enterprise=enterprise).clean()

    def test_read_only_roles(self, city_user, discipline_user, county_user):
        assert city_user.is_read_only and discipline_user.is_read_only
        assert not county_user.is_read_only
