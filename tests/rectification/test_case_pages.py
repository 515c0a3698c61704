"""The ledger pages: list, detail, transitions, creation, export; ownership and query counts."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from rectification import selectors
from rectification.models import Case, CaseEvent, CaseState, ClueSource
from tests.conftest import login
from tests.rectification.factories import (
    CaseFactory,
    add_evidence,
    fake_png,
    leaf_category,
    ledger_rows,
    png,
    rectifying_case,
)

pytestmark = pytest.mark.django_db

IN_TEN_DAYS = (timezone.localdate() + timedelta(days=10)).isoformat()


def post(client, case, transition, data=None, **extra):
    payload = {"version": case.version, **(data or {})}
    return client.post(f"/rectification/cases/{case.pk}/do/{transition}/", payload, **extra)


class TestLedgerList:
    def test_it_works(self, client, town_user, estates):
        CaseFactory(estate=estates["haiyang_1"], description="海阳的问题")
        CaseFactory(estate=estates["wanan_1"], description="万安的问题")
        body = ledger_rows(login(client, town_user).get("/rectification/"))
        assert "海阳花园" in body and "横江苑" not in body

    def test_login_required(self, client, estates):
        assert client.get("/rectification/").status_code == 302

    def test_overdue_is_red_and_filterable(self, client, county_user, estates):
        late = rectifying_case(estates["haiyang_1"])
        Case.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=4))
        rectifying_case(estates["haiyang_2"])
        login(client, county_user)
        body = ledger_rows(client.get("/rectification/?overdue=true"))
        assert 'class="overdue"' in body and "超期 4 天" in body
        assert "城北佳苑" not in body

    def test_filters(self, client, county_user, estates, tree):
        CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
        CaseFactory(estate=estates["wanan_1"])
        login(client, county_user)
        assert "横江苑" not in ledger_rows(client.get(f"/rectification/?town={tree['haiyang'].pk}"))
        body = ledger_rows(client.get("/rectification/?state=verifying"))
        assert "海阳花园" in body and "横江苑" not in body
        body = ledger_rows(client.get(f"/rectification/?category={leaf_category('A').pk}"))
        assert "海阳花园" in body and "横江苑" in body

    def test_estate_and_enterprise_by_typed_name(self, client, county_user, estates):
        CaseFactory(estate=estates["haiyang_1"])
        CaseFactory(estate=estates["wanan_1"])
        login(client, county_user)
        body = ledger_rows(client.get("/rectification/?estate_name=横江"))
        assert "横江苑" in body and "海阳花园" not in body
        body = ledger_rows(client.get("/rectification/?enterprise_name=海阳物业"))
        assert "海阳花园" in body and "横江苑" not in body
        body = ledger_rows(client.get(f"/rectification/?estate={estates['wanan_1'].pk}"))
        assert "横江苑" in body and "海阳花园" not in body

    def test_community_choices_follow_the_town_for_province_wide_users(self, client, county_user, tree, estates):
        from accounts.models import Role
        from tests.factories import UserFactory

        admin = UserFactory(username="admin-wide", role=Role.SYSADMIN, region=tree["province"])
        body = login(client, admin).get("/rectification/").content.decode()
        assert "秀阳社区</option>" not in body  # thousands at province scale: choose a town first
        body = client.get(f"/rectification/?town={tree['haiyang'].pk}").content.decode()
        assert "秀阳社区</option>" in body and "万安社区</option>" not in body
        body = login(client, county_user).get("/rectification/").content.decode()
        assert "秀阳社区</option>" in body and "万安社区</option>" in body

    def test_other_towns_filter_is_rejected_not_leaked(self, client, town_user, estates, tree):
        CaseFactory(estate=estates["wanan_1"])
        body = ledger_rows(login(client, town_user).get(f"/rectification/?town={tree['wanan'].pk}"))
        assert "横江苑" not in body

    def test_sort_by_complainants(self, client, county_user, estates):
        CaseFactory(estate=estates["haiyang_1"], complainant_count=2)
        CaseFactory(estate=estates["wanan_1"], complainant_count=9)
        body = ledger_rows(login(client, county_user).get("/rectification/?sort=-complainant_count"))
        assert body.index("横江苑") < body.index("海阳花园")

    def test_sort_by_days_overdue(self, client, county_user, estates):
        a = rectifying_case(estates["haiyang_1"])
        b = rectifying_case(estates["wanan_1"])
        today = timezone.localdate()
        Case.objects.filter(pk=a.pk).update(deadline=today - timedelta(days=2))
        Case.objects.filter(pk=b.pk).update(deadline=today - timedelta(days=9))
        body = ledger_rows(login(client, county_user).get("/rectification/?sort=-days_overdue"))
        assert body.index("横江苑") < body.index("海阳花园")

    def test_query_count_is_fixed(self, client, county_user, estates, django_assert_num_queries):
        login(client, county_user)
        for i in range(5):
            rectifying_case(estates["haiyang_1"], description=f"a{i}")
        client.get("/rectification/")  # warm up (session, content types)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert client.get("/rectification/?page_size=50").status_code == 200
        for i in range(45):
            rectifying_case(estates["wanan_1"] if i % 2 else estates["haiyang_2"], description=f"b{i}")
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get("/rectification/?page_size=50")
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="case-row"') == 50


class TestExport:
    def rows(self, response):
        sheet = load_workbook(BytesIO(response.content), read_only=True).active
        return list(sheet.iter_rows(values_only=True))

    def test_columns_and_scope(self, client, town_user, estates):
        CaseFactory(estate=estates["haiyang_1"], description="=HYPERLINK(\"x\")")
        CaseFactory(estate=estates["wanan_1"])
        rows = self.rows(login(client, town_user).get("/rectification/?export=xlsx"))
        assert list(rows[0]) == ["序号", "所属镇/街道", "社区", "小区", "物业企业", "问题类别", "问题描述", "来源", "责任单位",
                                 "责任人", "整改措施", "完成时限", "整改状态", "销号时间"]
        assert len(rows) == 2
        assert rows[1][:4] == (1, "海阳镇", "秀阳社区", "海阳花园")
        assert rows[1][6] == '=HYPERLINK("x")'  # kept as text, not a formula

    def test_exactly_the_filtered_rows(self, client, county_user, estates):
        CaseFactory(estate=estates["haiyang_1"], state=CaseState.CLOSED)
        CaseFactory(estate=estates["haiyang_2"])
        CaseFactory(estate=estates["wanan_1"])
        rows = self.rows(login(client, county_user).get("/rectification/?export=xlsx&state=pending_verification"))
        assert {r[3] for r in rows[1:]} == {"城北佳苑", "横江苑"}

    def test_rows_are_what_the_cases_show_in_one_query(self, estates, django_assert_num_queries):
        # the rows are read as values: each must show what the case's own fields and displays show
        today = timezone.localdate()
        rectifying_case(estates["haiyang_1"], deadline=today - timedelta(days=3), source=ClueSource.INSPECTION)
        rectifying_case(estates["haiyang_2"], enterprise=None, description="=1+1 无物业")
        CaseFactory(estate=estates["wanan_1"], state=CaseState.CLOSED, deadline=today - timedelta(days=30),
                    closed_at=timezone.now() - timedelta(days=1))
        CaseFactory(estate=estates["wanan_1"], state=CaseState.NOT_TRUE, source=ClueSource.OTHER)
        queryset = Case.objects.for_ledger().order_by("-pk")
        expected = [
            [index, c.estate.community.parent.name, c.estate.community.name, c.estate.name,
             c.enterprise.name if c.enterprise_id else "", c.category.label, c.description, c.get_source_display(),
             c.responsible_unit, c.responsible_person, c.measures, c.deadline,
             c.get_state_display() + ("（超期）" if c.is_overdue else ""), c.closed_at]
            for index, c in enumerate(queryset, start=1)
        ]
        assert {row[12] for row in expected} == {"整改中（超期）", "整改中", "已销号", "不属实"}
        assert "" in {row[4] for row in expected}
        with django_assert_num_queries(1):
            assert list(selectors.case_export_rows(queryset)) == expected
        with django_assert_num_queries(1):  # a queryset without the overdue annotation gets it
            assert list(selectors.case_export_rows(Case.objects.order_by("-pk"))) == expected


class TestCaseDetail:
    def test_it_works(self, client, community_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        body = login(client, community_user).get(f"/rectification/cases/{case.pk}/").content.decode()
        assert "开始核查" in body and "销号" not in body.split("办理过程")[1]

    def test_it_validates_ownership(self, client, other_town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert login(client, other_town_user).get(f"/rectification/cases/{case.pk}/").status_code == 404

    def test_read_only_user_sees_no_buttons(self, client, city_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        body = login(client, city_user).get(f"/rectification/cases/{case.pk}/").content.decode()
        assert "当前状态下您没有可办理的操作" in body


class TestTransitionPages:
    def test_walk_through_every_state(self, client, community_user, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        login(client, community_user)
        assert post(client, case, "start_verification", {"verifying_person": "王芳"}).status_code == 302
        case.refresh_from_db()
        response = post(client, case, "confirm", {
            "verification_result": "true", "verification_note": "属实", "measures": "修门禁", "responsible_unit": "物业",
            "responsible_person": "李强", "deadline": IN_TEN_DAYS,
        })
        assert response.status_code == 302
        case.refresh_from_db()
        assert post(client, case, "request_closure", {"note": "完成", "files": [png(), png("b.png")]}).status_code == 302
        case.refresh_from_db()
        assert case.state == CaseState.PENDING_CLOSURE and case.attachments.count() == 2
        login(client, county_user)
        assert post(client, case, "return", {"reason": "不到位"}).status_code == 302
        case.refresh_from_db()
        login(client, community_user)
        assert post(client, case, "request_closure", {"note": "再次完成"}).status_code == 302
        case.refresh_from_db()
        login(client, county_user)
        assert post(client, case, "close", {"note": "整改到位"}).status_code == 302
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED
        assert post(client, case, "reopen", {"reason": "回头看反弹"}).status_code == 302
        case.refresh_from_db()
        assert post(client, case, "withdraw", {"reason": "重复案件"}).status_code == 302
        case.refresh_from_db()
        assert case.state == CaseState.WITHDRAWN
        body = client.get(f"/rectification/cases/{case.pk}/").content.decode()
        for label in ["开始核查", "核查属实（制定整改方案）", "申请销号", "退回整改", "销号", "重新打开（回头看）", "撤销案件"]:
            assert label in body
        assert CaseEvent.objects.filter(case=case).count() == 8

    def test_not_true(self, client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
        assert post(login(client, town_user), case, "not_true", {"reason": "不属实"}).status_code == 302
        case.refresh_from_db()
        assert case.state == CaseState.NOT_TRUE

    def test_missing_reason(self, client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.VERIFYING)
        response = post(login(client, town_user), case, "not_true", {"reason": ""})
        assert response.status_code == 400
        assert "“核查不属实”需要填写：原因。" in response.content.decode()

    def test_missing_evidence(self, client, community_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = post(login(client, community_user), case, "request_closure", {"note": "完成"})
        assert response.status_code == 400
        assert "佐证材料" in response.content.decode()

    def test_fake_image(self, client, community_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        response = post(login(client, community_user), case, "request_closure", {"note": "完成", "files": [fake_png()]})
        assert response.status_code == 400 and "不是允许的类型" in response.content.decode()

    def test_wrong_role(self, client, community_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        add_evidence(case)
        response = post(login(client, community_user), case, "close", {"note": "整改到位"})
        assert response.status_code == 403 and "县专班" in response.content.decode()

    def test_read_only_role(self, client, city_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert post(login(client, city_user), case, "start_verification").status_code == 403

    def test_out_of_scope(self, client, other_town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert post(login(client, other_town_user), case, "start_verification").status_code == 404
        case.refresh_from_db()
        assert case.state == CaseState.PENDING_VERIFICATION

    def test_illegal_jump(self, client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        add_evidence(case)
        response = post(login(client, county_user), case, "close", {"note": "整改到位"})
        assert response.status_code == 409
        assert "案件当前状态为“待核查”，不能执行“销号”。" in response.content.decode()

    def test_stale_page(self, client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
        add_evidence(case)
        login(client, county_user)
        stale = Case.objects.get(pk=case.pk)
        assert post(client, case, "close", {"note": "整改到位"}).status_code == 302
        response = post(client, stale, "close", {"note": "整改到位"})
        assert response.status_code == 409
        assert "该案件已被他人办理（当前状态：已销号），请刷新后查看。" in response.content.decode()

    def test_get_is_not_allowed(self, client, county_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        assert login(client, county_user).get(f"/rectification/cases/{case.pk}/do/close/").status_code == 405


class TestCaseCreate:
    def test_it_works(self, client, town_user, estates):
        login(client, town_user)
        assert client.get("/rectification/cases/new/").status_code == 200
        response = client.post("/rectification/cases/new/", {
            "estate": estates["haiyang_1"].pk, "category": leaf_category("B1").pk, "source": "inspection",
            "description": "未开设公共收益账户", "complainant_count": "",
        })
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/rectification/cases/{case.pk}/"
        assert case.created_by == town_user and case.events.get().kind == "created"

    def test_it_validates_ownership(self, client, town_user, estates):
        response = login(client, town_user).post("/rectification/cases/new/", {
            "estate": estates["wanan_1"].pk, "category": leaf_category("B1").pk, "source": "inspection", "description": "x",
        })
        assert response.status_code == 400 and not Case.objects.exists()

    def test_read_only_refused(self, client, city_user, estates):
        response = login(client, city_user).post("/rectification/cases/new/", {
            "estate": estates["haiyang_1"].pk, "category": leaf_category("B1").pk, "source": "inspection", "description": "x",
        })
        assert response.status_code == 400 and "只读账号" in response.content.decode()
        assert not Case.objects.exists()


class TestAttachmentDownload:
    def test_it_works(self, client, town_user, estates):
        case = CaseFactory(estate=estates["haiyang_1"])
        attachment = add_evidence(case)
        response = login(client, town_user).get(f"/rectification/attachments/{attachment.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"

    def test_it_validates_ownership(self, client, other_town_user, estates):
        attachment = add_evidence(CaseFactory(estate=estates["haiyang_1"]))
        assert login(client, other_town_user).get(f"/rectification/attachments/{attachment.pk}/").status_code == 404
