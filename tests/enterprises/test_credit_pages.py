"""Pages of the credit file, the evaluation, objections and the public red/black list."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from enterprises import services
from enterprises.models import Evaluation, ListEntry, ListType, Objection
from rectification.services import supervision_record
from tests.conftest import login
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory
from tests.rectification.factories import rectifying_case

pytestmark = pytest.mark.django_db

PENALTY = {"decision_number": "=HYPERLINK(\"http://x\")", "amount": Decimal("5000"), "basis": "《物业管理条例》"}


def _published(estates, county_user, tree):
    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    today = timezone.localdate()
    evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                          period_start=today - timedelta(days=30), period_end=today)
    for p in evaluation.proposals.exclude(proposed=ListType.NONE):
        services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="专班会议研究决定")
    return services.evaluation_publish(user=county_user, evaluation_id=evaluation.pk, decision_number="休整治办〔2025〕8号",
                                       decided_on=today, valid_until=today + timedelta(days=365))


class TestCreditFile:
    def test_it_works(self, client, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        body = login(client, county_user).get(f"/enterprises/{case.enterprise_id}/credit/").content.decode()
        assert "诚信档案" in body and "行政处罚" in body and case.number in body

    def test_it_validates_ownership(self, client, town_user, estates):
        other = estates["wanan_1"].enterprise
        assert login(client, town_user).get(f"/enterprises/{other.pk}/credit/").status_code == 404

    def test_county_adds_a_commendation(self, client, county_user, estates):
        enterprise = estates["wanan_1"].enterprise
        response = login(client, county_user).post(f"/enterprises/{enterprise.pk}/credit/", {
            "kind": "commendation", "occurred_on": timezone.localdate().isoformat(), "description": "获评县级优秀物业项目"})
        assert response.status_code == 302
        assert enterprise.credit_events.get().points == 5

    def test_town_may_not_add(self, client, town_user, estates):
        enterprise = estates["haiyang_1"].enterprise
        response = login(client, town_user).post(f"/enterprises/{enterprise.pk}/credit/", {
            "kind": "commendation", "occurred_on": "2025-01-01", "description": "x"})
        assert response.status_code == 403
        assert "只有县专班" in response.content.decode()

    def test_bad_date_is_400_in_chinese(self, client, county_user, estates):
        enterprise = estates["haiyang_1"].enterprise
        response = login(client, county_user).post(f"/enterprises/{enterprise.pk}/credit/", {
            "kind": "commendation", "occurred_on": "2025-02-30", "description": "x"})
        assert response.status_code == 400
        assert "日期格式不正确" in response.content.decode()


class TestEvaluationPages:
    def test_open_decide_publish(self, client, county_user, estates, tree):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        login(client, county_user)
        today = timezone.localdate()
        response = client.post("/enterprises/evaluations/", {
            "jurisdiction": tree["county"].pk, "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": today.isoformat()})
        evaluation = Evaluation.objects.get()
        assert response.status_code == 302 and response["Location"].endswith(f"/evaluations/{evaluation.pk}/")
        body = client.get(f"/enterprises/evaluations/{evaluation.pk}/").content.decode()
        assert "受到行政处罚 1 次" in body
        black = evaluation.proposals.get(proposed=ListType.BLACK)
        response = client.post(f"/enterprises/proposals/{black.pk}/decide/", {"decision": "rejected", "reason": ""})
        assert response.status_code == 400 and "书面理由" in response.content.decode()
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            assert client.post(f"/enterprises/proposals/{p.pk}/decide/",
                               {"decision": "accepted", "reason": "研究决定"}).status_code == 302
        response = client.post(f"/enterprises/evaluations/{evaluation.pk}/publish/", {
            "decision_number": "休整治办〔2025〕8号", "decided_on": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat()})
        assert response.status_code == 302
        assert ListEntry.objects.filter(list_type=ListType.BLACK, enterprise=case.enterprise).exists()

    def test_town_cannot_open(self, client, town_user, tree):
        response = login(client, town_user).post("/enterprises/evaluations/", {
            "jurisdiction": tree["county"].pk, "period_start": "2025-01-01", "period_end": "2025-06-30"})
        assert response.status_code == 403

    def test_other_county_cannot_see_or_decide(self, client, county_user, estates, tree):
        evaluation = _published(estates, county_user, tree)
        other = UserFactory(role=Role.COUNTY_GROUP, region=tree["district"])
        login(client, other)
        assert client.get(f"/enterprises/evaluations/{evaluation.pk}/").status_code == 404
        proposal = evaluation.proposals.first()
        assert client.post(f"/enterprises/proposals/{proposal.pk}/decide/",
                           {"decision": "accepted", "reason": "x"}).status_code == 404

    def test_town_sees_the_county_evaluation_read_only(self, client, town_user, county_user, estates, tree):
        evaluation = _published(estates, county_user, tree)
        response = login(client, town_user).get(f"/enterprises/evaluations/{evaluation.pk}/")
        assert response.status_code == 200
        names = {p.enterprise.name for p in response.context["proposals"]}
        assert names == {"海阳物业公司"}  # 万安 serves no estate of 海阳镇
        assert not response.context["can_write"]

    def test_credit_platform_export(self, client, county_user, estates, tree):
        evaluation = _published(estates, county_user, tree)
        login(client, county_user)
        response = client.get(f"/enterprises/evaluations/{evaluation.pk}/?export=xlsx")
        workbook = load_workbook(BytesIO(response.content))
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("批次号", "统一社会信用代码", "企业名称", "名单类型", "认定事由", "认定依据", "认定单位",
                           "决定文号", "认定日期", "有效期至")
        assert {r[3] for r in rows[1:]} == {"黑榜", "红榜", "不良信用信息（行政处罚）"}
        assert all(r[0] == evaluation.batch_id for r in rows[1:])
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        again = load_workbook(BytesIO(client.get(f"/enterprises/evaluations/{evaluation.pk}/?export=xlsx").content))
        assert list(again.active.iter_rows(values_only=True))[1][0] == evaluation.batch_id
        csv = client.get(f"/enterprises/evaluations/{evaluation.pk}/?export=csv").content
        assert csv.startswith(b"\xef\xbb\xbf")
        text = csv.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("批次号,统一社会信用代码,企业名称,名单类型")
        assert "'=HYPERLINK" in text

    def test_export_before_publication_is_refused(self, client, county_user, tree, estates):
        evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                              period_start="2025-01-01", period_end="2025-06-30")
        response = login(client, county_user).get(f"/enterprises/evaluations/{evaluation.pk}/?export=xlsx")
        assert response.status_code == 409


class TestObjectionPages:
    def test_enterprise_files_and_county_answers(self, client, county_user, enterprise_user, estates, tree):
        _published(estates, county_user, tree)
        entry = ListEntry.objects.get(list_type=ListType.BLACK)
        login(client, enterprise_user)
        assert "提交异议" in client.get("/enterprises/my-credit/").content.decode()
        assert client.post("/enterprises/my-credit/", {"entry": entry.pk, "content": "处罚已履行完毕，申请复核"}).status_code == 302
        objection = Objection.objects.get()
        login(client, county_user)
        assert client.post(f"/enterprises/objections/{objection.pk}/answer/",
                           {"outcome": "maintained", "answer": "经复核，维持原认定。"}).status_code == 302
        objection.refresh_from_db()
        assert objection.get_outcome_display() == "维持原认定"

    def test_another_enterprise_gets_404(self, client, county_user, estates, tree):
        _published(estates, county_user, tree)
        entry = ListEntry.objects.get(list_type=ListType.BLACK)
        other = UserFactory(role=Role.ENTERPRISE, enterprise=estates["wanan_1"].enterprise)
        response = login(client, other).post("/enterprises/my-credit/", {"entry": entry.pk, "content": "替别人提异议"})
        assert response.status_code == 404
        assert not Objection.objects.exists()

    def test_staff_page_refuses_staff(self, client, county_user):
        assert login(client, county_user).get("/enterprises/my-credit/").status_code == 403


class TestPublicPages:
    def test_public_list_without_login(self, client, county_user, estates, tree):
        _published(estates, county_user, tree)
        body = client.get("/credit/").content.decode()
        assert "海阳物业公司" in body and "黑榜" in body and "休整治办〔2025〕8号" in body
        black_only = client.get("/credit/?type=black").content.decode()
        assert "万安物业公司" not in black_only

    def test_public_enterprise_page_has_no_personal_data(self, client, county_user, estates, tree):
        _published(estates, county_user, tree)
        enterprise = estates["haiyang_1"].enterprise
        enterprise.contact_person, enterprise.contact_phone = "李联系", "13800001111"
        enterprise.save()
        body = client.get(f"/credit/enterprises/{enterprise.pk}/").content.decode()
        assert enterprise.credit_code in body and "海阳花园" in body and "黑榜" in body and "行政处罚" in body
        for personal in ("张三", "李联系", "13800001111", county_user.username):
            assert personal not in body

    def test_unpublished_events_are_not_public(self, client, county_user, estates):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="interview",
                           participants="企业负责人", outcome="约谈内容保密")
        body = client.get(f"/credit/enterprises/{case.enterprise_id}/").content.decode()
        assert "约谈内容保密" not in body

    def test_unknown_enterprise_is_404(self, client, db):
        assert client.get("/credit/enterprises/999999/").status_code == 404

    def test_public_list_excel(self, client, county_user, estates, tree):
        _published(estates, county_user, tree)
        sheet = load_workbook(BytesIO(client.get("/credit/?export=xlsx").content)).active
        assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["红榜", "黑榜"] or \
            sorted(r[2] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["红榜", "黑榜"]

    def test_public_list_queries_do_not_grow(self, client, county_user, tree):
        def queries_for(n):
            for _ in range(n):
                EstateFactory(community=tree["xiuyang"], enterprise=EnterpriseFactory())
            today = timezone.localdate()
            evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                                  period_start=today - timedelta(days=30), period_end=today)
            for p in evaluation.proposals.filter(decision="pending"):
                services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
            services.evaluation_publish(user=county_user, evaluation_id=evaluation.pk, decision_number="文号",
                                        decided_on=today, valid_until=today + timedelta(days=30))
            with CaptureQueriesContext(connection) as ctx:
                client.get("/credit/")
            return len(ctx.captured_queries), ListEntry.objects.count()

        small, entries_small = queries_for(5)
        large, entries_large = queries_for(45)
        assert entries_large > entries_small >= 5
        assert small == large

    def test_evaluation_page_queries_do_not_grow(self, client, county_user, tree):
        login(client, county_user)

        def queries_for(n):
            for _ in range(n):
                EstateFactory(community=tree["xiuyang"], enterprise=EnterpriseFactory())
            today = timezone.localdate()
            evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                                  period_start=today - timedelta(days=30), period_end=today)
            with CaptureQueriesContext(connection) as ctx:
                client.get(f"/enterprises/evaluations/{evaluation.pk}/")
            return len(ctx.captured_queries)

        assert queries_for(5) == queries_for(45)


@pytest.mark.parametrize("posted,status,message", [
    ({"occurred_on": "2025-01-01", "description": "x"}, 400, "请选择信用记录类型"),
    ({"kind": "praise", "occurred_on": "2025-01-01", "description": "x"}, 400, "请选择信用记录类型"),
    ({"kind": "commendation", "description": "x"}, 400, "请填写发生日期"),
    ({"kind": "commendation", "occurred_on": "2025-01-01", "description": "x", "points": "五"}, 400, "分值须为整数"),
    ({"kind": "commendation", "occurred_on": "2025-01-01", "description": "x", "source_case_id": "abc"}, 400, "来源案件"),
])
def test_credit_event_form_says_what_is_wrong(client, county_user, estates, posted, status, message):
    enterprise = estates["haiyang_1"].enterprise
    response = login(client, county_user).post(f"/enterprises/{enterprise.pk}/credit/", posted)
    assert response.status_code == status and message in response.content.decode()
    assert not enterprise.credit_events.exists()


def test_credit_event_form_passes_points_and_case(client, county_user, estates):
    from tests.rectification.factories import rectifying_case

    case = rectifying_case(estates["haiyang_1"])
    enterprise = estates["haiyang_1"].enterprise
    response = login(client, county_user).post(f"/enterprises/{enterprise.pk}/credit/", {
        "kind": "refused_rectification", "occurred_on": "2025-01-01", "description": "拒不整改", "points": "7",
        "source_case_id": str(case.pk)})
    assert response.status_code == 302
    event = enterprise.credit_events.get()
    assert (event.points, event.source_case) == (-7, case)
