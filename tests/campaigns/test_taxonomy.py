import pytest

from campaigns.models import ProblemCategory
from campaigns.taxonomy import TAXONOMY, load_taxonomy


@pytest.mark.django_db
class TestTaxonomy:
    def test_data_migration_loaded_every_category(self):
        assert ProblemCategory.objects.count() == len(TAXONOMY)
        b1 = ProblemCategory.objects.get(code="B1")
        assert b1.label == "未开设公共收益专门账户"
        assert b1.parent.code == "B"
        assert b1.seed_plans == ["zhongshan"]
        assert ProblemCategory.objects.get(code="G7").parent.label == "建设单位违法违规行为"

    def test_reload_does_not_overwrite_edits(self):
        ProblemCategory.objects.filter(code="A1").update(label="本县自定义措辞", is_active=False)
        assert load_taxonomy(ProblemCategory) == 0
        a1 = ProblemCategory.objects.get(code="A1")
        assert (a1.label, a1.is_active) == ("本县自定义措辞", False)

    def test_reload_restores_a_missing_category(self):
        ProblemCategory.objects.filter(code="D").delete()
        assert load_taxonomy(ProblemCategory) == 1

    def test_editable_in_admin(self, admin_client):
        a1 = ProblemCategory.objects.get(code="A1")
        response = admin_client.get(f"/admin/campaigns/problemcategory/{a1.pk}/change/")
        assert response.status_code == 200
        assert "未按照合同约定提供服务" in response.content.decode()
