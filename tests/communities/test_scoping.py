"""Scoping through page, API and export: a town officer of 海阳镇 never reaches 万安镇's data."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from communities.models import Estate
from tests.conftest import login


def names_in_export(response):
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    return {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}


class TestVisibleTo:
    def test_town_user_sees_only_own_town(self, town_user, estates):
        names = set(Estate.objects.visible_to(town_user).values_list("name", flat=True))
        assert names == {"海阳花园", "城北佳苑"}

    def test_county_user_sees_whole_county_not_neighbour(self, county_user, estates):
        names = set(Estate.objects.visible_to(county_user).values_list("name", flat=True))
        assert names == {"海阳花园", "城北佳苑", "横江苑"}

    def test_city_user_sees_both_counties(self, city_user, estates):
        assert Estate.objects.visible_to(city_user).count() == 4

    def test_community_user_sees_only_own_community(self, community_user, estates):
        assert list(Estate.objects.visible_to(community_user).values_list("name", flat=True)) == ["海阳花园"]

    def test_enterprise_user_sees_only_estates_it_serves(self, enterprise_user, estates):
        names = set(Estate.objects.visible_to(enterprise_user).values_list("name", flat=True))
        assert names == {"海阳花园", "城北佳苑"}

    def test_user_without_region_sees_nothing(self, db, estates):
        from tests.factories import UserFactory

        assert Estate.objects.visible_to(UserFactory(region=None)).count() == 0

    def test_anonymous_sees_nothing(self, estates):
        from django.contrib.auth.models import AnonymousUser

        assert Estate.objects.visible_to(AnonymousUser()).count() == 0


@pytest.mark.django_db
class TestEstatePages:
    def test_it_works(self, client, town_user, estates):
        response = login(client, town_user).get("/communities/estates/")
        assert response.status_code == 200
        assert "海阳花园" in response.content.decode()
        assert "横江苑" not in response.content.decode()

    def test_it_validates_ownership(self, client, town_user, estates):
        response = login(client, town_user).get(f"/communities/estates/{estates['wanan_1'].pk}/")
        assert response.status_code == 404

    def test_detail_of_own_estate(self, client, town_user, estates):
        response = login(client, town_user).get(f"/communities/estates/{estates['haiyang_1'].pk}/")
        assert response.status_code == 200
        assert "海阳物业公司" in response.content.decode()

    def test_export_contains_only_scope(self, client, town_user, estates):
        response = login(client, town_user).get("/communities/estates/?export=xlsx")
        assert response.status_code == 200
        assert names_in_export(response) == {"海阳花园", "城北佳苑"}

    def test_export_honours_filters(self, client, county_user, estates, tree):
        response = login(client, county_user).get(f"/communities/estates/?export=xlsx&town={tree['wanan'].pk}")
        assert names_in_export(response) == {"横江苑"}

    def test_filter_by_other_towns_region_is_rejected_not_leaked(self, client, town_user, estates, tree):
        response = login(client, town_user).get(f"/communities/estates/?town={tree['wanan'].pk}")
        assert response.status_code == 200
        body = response.content.decode()
        assert "横江苑" not in body
        assert "选择一个有效的选项" in body  # django-filter refuses a town outside the scope

    def test_enterprise_is_typed_not_a_dropdown(self, client, county_user, estates):
        login(client, county_user)
        body = client.get("/communities/estates/?enterprise_name=万安").content.decode()
        rows = body[body.index("<table"):]
        assert "横江苑" in rows and "海阳花园" not in rows
        assert "<option value=\"" + str(estates["haiyang_1"].enterprise_id) + "\">海阳物业公司" not in body
        by_id = client.get(f"/communities/estates/?enterprise={estates['haiyang_1'].enterprise_id}").content.decode()
        assert "海阳花园" in by_id[by_id.index("<table"):] and "横江苑" not in by_id[by_id.index("<table"):]

    def test_login_required(self, client, estates):
        response = client.get("/communities/estates/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_list_query_count_does_not_grow(self, client, county_user, tree, django_assert_max_num_queries):
        from tests.factories import EstateFactory

        login(client, county_user)
        EstateFactory.create_batch(3, community=tree["xiuyang"])
        with django_assert_max_num_queries(12) as small:
            client.get("/communities/estates/")
        EstateFactory.create_batch(20, community=tree["chengbei"])
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get("/communities/estates/")


@pytest.mark.django_db
class TestEstateApi:
    def test_it_works(self, api_client, town_user, estates):
        api_client.force_authenticate(town_user)
        data = api_client.get("/api/v1/estates/").json()
        assert data["count"] == 2
        assert {row["name"] for row in data["results"]} == {"海阳花园", "城北佳苑"}
        assert all("id" in row for row in data["results"])

    def test_it_validates_ownership(self, api_client, town_user, estates):
        api_client.force_authenticate(town_user)
        response = api_client.get(f"/api/v1/estates/{estates['wanan_1'].pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "记录不存在或不在您的管辖范围内。"

    def test_unauthenticated_is_refused_in_chinese(self, api_client, estates):
        response = api_client.get("/api/v1/estates/")
        assert response.status_code in (401, 403)
        assert "登录" in response.json()["detail"]

    def test_read_only_api_refuses_writes(self, api_client, county_user, estates):
        api_client.force_authenticate(county_user)
        response = api_client.post("/api/v1/estates/", {"name": "x"})
        assert response.status_code == 405
        assert response.json()["detail"] == "不支持该请求方法。"

    def test_bad_filter_is_400_in_chinese(self, api_client, county_user, estates):
        api_client.force_authenticate(county_user)
        response = api_client.get("/api/v1/estates/?town=abc")
        assert response.status_code == 400
        assert "town" in response.json()

    def test_bad_page_is_404_in_chinese(self, api_client, county_user, estates):
        api_client.force_authenticate(county_user)
        response = api_client.get("/api/v1/estates/?page=999")
        assert response.status_code == 404
        assert response.json()["detail"] == "记录不存在或不在您的管辖范围内。" or "页码" in response.json()["detail"]

    def test_enterprise_user_sees_only_its_estates(self, api_client, enterprise_user, estates):
        api_client.force_authenticate(enterprise_user)
        names = {row["name"] for row in api_client.get("/api/v1/estates/").json()["results"]}
        assert names == {"海阳花园", "城北佳苑"}


@pytest.mark.django_db
class TestCountyFirstChoice:
    """Province- and city-wide users choose the county before its towns (a province has 1,100
    towns); a county's own users start at the town."""

    LISTS = ["/rectification/", "/complaints/", "/communities/estates/", "/inspections/visits/", "/revenue/"]

    @staticmethod
    def select(body, name):
        start = body.index(f'<select name="{name}"')
        return body[start:body.index("</select>", start)]

    def test_city_user_picks_the_county_then_its_towns(self, client, city_user, estates, tree):
        from tests.rectification.factories import CaseFactory

        CaseFactory(estate=estates["haiyang_1"], description="休宁的案件")
        CaseFactory(estate=estates["tunxi_1"], description="屯溪的案件")
        login(client, city_user)
        body = client.get("/rectification/").content.decode()
        counties = self.select(body, "county")
        assert "黄山市 · 休宁县" in counties and "黄山市 · 屯溪区" in counties
        assert "海阳镇" not in self.select(body, "town")  # no towns before a county
        body = client.get(f"/rectification/?county={tree['county'].pk}").content.decode()
        towns = self.select(body, "town")
        assert "海阳镇" in towns and "万安镇" in towns and "昱中街道" not in towns
        rows = body[body.index('data-testid="case-table"'):]
        assert "海阳花园" in rows and "老街府" not in rows
        # a link straight to a town (the dashboard's) still filters by it
        body = client.get(f"/rectification/?town={tree['yuzhong'].pk}").content.decode()
        assert "昱中街道" in self.select(body, "town")
        rows = body[body.index('data-testid="case-table"'):]
        assert "老街府" in rows and "海阳花园" not in rows

    def test_every_scoped_list_offers_the_county_to_wide_users_only(self, client, city_user, county_user, estates, tree):
        login(client, city_user)
        for url in self.LISTS:
            response = client.get(url)
            assert response.status_code == 200, url
            assert '<select name="county"' in response.content.decode(), url
        client.logout()
        login(client, county_user)
        for url in self.LISTS:
            body = client.get(url).content.decode()
            assert '<select name="county"' not in body, url
            assert "海阳镇" in self.select(body, "town"), url

    def test_a_county_outside_the_scope_is_refused(self, client, town_user, city_user, tree):
        from tests.factories import RegionFactory

        other = RegionFactory(code="341100", name="滁州市", level=tree["city"].level, parent=tree["province"])
        foreign = RegionFactory(code="341102", name="琅琊区", level=tree["county"].level, parent=other)
        login(client, city_user)
        body = client.get(f"/rectification/?county={foreign.pk}").content.decode()
        assert "选择一个有效的选项" in body
