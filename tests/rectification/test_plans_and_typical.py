"""一小区一方案 (with the public page) and 典型案例 (with the Excel export)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.errors import InvalidState, PermissionDenied
from rectification.models import EstatePlan, PlanStatus, TypicalCase
from rectification.services import plan_approve, plan_create, plan_publish, typical_case_mark
from tests.conftest import login
from tests.rectification.factories import CaseFactory, rectifying_case

pytestmark = pytest.mark.django_db

TYPICAL = {"title": "海阳花园电梯广告收益案", "basic_facts": "物业公司截留广告收益", "violation": "侵占公共收益",
           "legal_basis": "《物业管理条例》第五十四条", "handling_result": "退还收益并公示", "is_published": True}


@pytest.fixture
def published_plan(estates, county_user):
    case = rectifying_case(estates["haiyang_1"], responsible_person="李强", verifying_person="王芳")
    plan = plan_create(user=county_user, estate_id=estates["haiyang_1"].pk, title="海阳花园综合整治方案",
                       content="一、问题清单", case_ids=[case.pk])
    plan_approve(user=county_user, plan_id=plan.pk)
    return plan_publish(user=county_user, plan_id=plan.pk), case


class TestPlans:
    def test_lifecycle(self, published_plan):
        plan, case = published_plan
        assert plan.status == PlanStatus.PUBLISHED and list(plan.cases.all()) == [case]

    def test_publish_needs_approval(self, estates, county_user):
        plan = plan_create(user=county_user, estate_id=estates["haiyang_1"].pk, title="t", content="c", case_ids=[])
        with pytest.raises(InvalidState):
            plan_publish(user=county_user, plan_id=plan.pk)

    def test_only_county(self, estates, town_user):
        with pytest.raises(PermissionDenied):
            plan_create(user=town_user, estate_id=estates["haiyang_1"].pk, title="t", content="c", case_ids=[])

    def test_public_page_without_login_and_without_personal_data(self, client, published_plan):
        plan, case = published_plan
        body = client.get(f"/public/estates/{plan.estate_id}/plan/").content.decode()
        assert "海阳花园综合整治方案" in body and "整改中" in body and case.number in body
        assert "李强" not in body and "王芳" not in body and "0559" not in body

    def test_public_page_never_lists_a_corruption_clue(self, client, published_plan, estates):
        plan, case = published_plan
        clue = rectifying_case(estates["haiyang_1"], is_corruption_clue=True)
        body = client.get(f"/public/estates/{plan.estate_id}/plan/").content.decode()
        assert case.number in body and clue.number not in body

    def test_public_page_of_unpublished_plan_is_404(self, client, estates, county_user):
        plan_create(user=county_user, estate_id=estates["haiyang_1"].pk, title="草稿", content="c", case_ids=[])
        assert client.get(f"/public/estates/{estates['haiyang_1'].pk}/plan/").status_code == 404

    def test_pages(self, client, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        login(client, county_user)
        url = f"/rectification/estates/{estates['haiyang_1'].pk}/plans/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"title": "方案", "content": "内容", "cases": [case.pk]})
        plan = EstatePlan.objects.get()
        assert response.status_code == 302 and list(plan.cases.all()) == [case]
        assert client.post(f"/rectification/plans/{plan.pk}/approve/").status_code == 302
        assert client.post(f"/rectification/plans/{plan.pk}/publish/").status_code == 302
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PUBLISHED
        assert client.get(f"/rectification/plans/{plan.pk}/").status_code == 200

    def test_it_validates_ownership(self, client, other_town_user, published_plan, estates):
        plan, _ = published_plan
        login(client, other_town_user)
        assert client.get(f"/rectification/estates/{estates['haiyang_1'].pk}/plans/").status_code == 404
        assert client.get(f"/rectification/plans/{plan.pk}/").status_code == 404
        assert client.post(f"/rectification/plans/{plan.pk}/approve/").status_code in (403, 404)


class TestTypicalCases:
    def test_mark_and_export(self, client, county_user, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state="closed")
        other = CaseFactory(estate=estates["wanan_1"], state="closed")
        login(client, county_user)
        assert client.post(f"/rectification/cases/{case.pk}/typical/", TYPICAL).status_code == 302
        typical_case_mark(user=county_user, case_id=other.pk, **{**TYPICAL, "title": "横江苑案例"})
        assert TypicalCase.objects.get(case=case).is_published
        assert case.events.get().kind == "typical"
        login(client, town_user)
        assert "海阳花园电梯广告收益案" in client.get("/rectification/typical/").content.decode()
        sheet = load_workbook(BytesIO(client.get("/rectification/typical/?export=xlsx").content), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("序号", "案例标题", "所属镇/街道")
        assert [r[1] for r in rows[1:]] == ["海阳花园电梯广告收益案"]

    def test_missing_fields(self, client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        response = login(client, county_user).post(f"/rectification/cases/{case.pk}/typical/", {"title": "x"})
        assert response.status_code == 400 and "基本案情" in response.content.decode()

    def test_only_county(self, client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert login(client, town_user).post(f"/rectification/cases/{case.pk}/typical/", TYPICAL).status_code == 403

    def test_it_validates_ownership(self, client, other_town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert login(client, other_town_user).post(f"/rectification/cases/{case.pk}/typical/", TYPICAL).status_code == 404
