from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories import EnterpriseFactory


@pytest.mark.django_db
class TestEnterpriseList:
    def test_it_works(self, client, town_user, estates):
        body = login(client, town_user).get("/enterprises/").content.decode()
        assert "海阳物业公司" in body
        assert "屯溪物业公司" not in body

    def test_counts_are_within_scope(self, client, town_user, estates, tree):
        from tests.factories import EstateFactory

        # The 海阳 enterprise also serves an estate in 万安镇: the town user must not count it.
        EstateFactory(community=tree["wanan_community"], enterprise=estates["haiyang_1"].enterprise)
        response = login(client, town_user).get("/enterprises/")
        row = next(e for e in response.context["page"] if e.name == "海阳物业公司")
        assert row.estate_count == 2

    def test_enterprise_user_sees_only_itself(self, client, enterprise_user, estates):
        response = login(client, enterprise_user).get("/enterprises/")
        assert [e.name for e in response.context["page"]] == ["海阳物业公司"]

    def test_export_is_scoped(self, client, town_user, estates):
        EnterpriseFactory(name="外县物业")
        response = login(client, town_user).get("/enterprises/?export=xlsx")
        sheet = load_workbook(BytesIO(response.content), read_only=True).active
        names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert names == ["海阳物业公司"]


@pytest.mark.django_db
class TestEnterpriseDetail:
    def test_it_works(self, client, town_user, estates):
        enterprise = estates["haiyang_1"].enterprise
        body = login(client, town_user).get(f"/enterprises/{enterprise.pk}/").content.decode()
        assert enterprise.credit_code in body
        assert "海阳花园" in body

    def test_it_validates_ownership(self, client, town_user, estates):
        other = estates["wanan_1"].enterprise
        assert login(client, town_user).get(f"/enterprises/{other.pk}/").status_code == 404

    def test_unknown_id_is_404_page_in_chinese(self, client, town_user, estates):
        response = login(client, town_user).get("/enterprises/999999/")
        assert response.status_code == 404
        assert "管辖范围" in response.content.decode()


@pytest.mark.django_db
class TestEnterpriseApi:
    def test_it_works(self, api_client, town_user, estates):
        api_client.force_authenticate(town_user)
        rows = api_client.get("/api/v1/enterprises/").json()["results"]
        assert [r["name"] for r in rows] == ["海阳物业公司"]
        assert rows[0]["id"] == estates["haiyang_1"].enterprise_id

    def test_it_validates_ownership(self, api_client, town_user, estates):
        api_client.force_authenticate(town_user)
        assert api_client.get(f"/api/v1/enterprises/{estates['wanan_1'].enterprise_id}/").status_code == 404

    def test_filter_by_credit_code(self, api_client, county_user, estates):
        api_client.force_authenticate(county_user)
        code = estates["wanan_1"].enterprise.credit_code
        rows = api_client.get(f"/api/v1/enterprises/?credit_code={code}").json()["results"]
        assert [r["name"] for r in rows] == ["万安物业公司"]
