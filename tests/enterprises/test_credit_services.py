"""The credit file, the red/black evaluation and objections, through the services."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidState, NotFound, PermissionDenied
from enterprises import services
from enterprises.models import (
    CreditEvent,
    CreditEventKind,
    CreditRule,
    EvaluationStatus,
    ListEntry,
    ListType,
    ObjectionStatus,
    Proposal,
)
from rectification.models import SupervisionAction
from rectification.services import supervision_lift, supervision_record
from tests.factories import EnterpriseFactory, EstateFactory
from tests.rectification.factories import rectifying_case

pytestmark = pytest.mark.django_db

PENALTY = {"decision_number": "休住建罚〔2025〕1号", "amount": Decimal("5000"), "basis": "《物业管理条例》第六十三条"}


def open_evaluation(user, tree, **kwargs):
    today = timezone.localdate()
    return services.evaluation_open(
        user=user, jurisdiction_id=tree["county"].pk, period_start=today - timedelta(days=180),
        period_end=today + timedelta(days=10), **kwargs,
    )


def publish(user, evaluation, **kwargs):
    today = timezone.localdate()
    values = {"decision_number": "休整治办〔2025〕8号", "decided_on": today, "valid_until": today + timedelta(days=365)}
    values.update(kwargs)
    return services.evaluation_publish(user=user, evaluation_id=evaluation.pk, **values)


class TestCreditEventsFromTheLedger:
    def test_penalty_on_a_case_appears_once_in_the_credit_file(self, estates, county_user):
        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        events = list(CreditEvent.objects.filter(enterprise=case.enterprise))
        assert len(events) == 1
        event = events[0]
        assert (event.kind, event.is_bad, event.points) == (CreditEventKind.PENALTY, True, -10)
        assert event.source_case == case and event.source_supervision == action
        assert event.decision_number == PENALTY["decision_number"] and event.is_published
        # the same source recorded again (a retried job, a second call) does not add a second entry
        services.credit_event_from_supervision(action=action, user=county_user)
        assert CreditEvent.objects.filter(enterprise=case.enterprise).count() == 1

    @pytest.mark.parametrize("kind,data,expected", [
        ("interview", {"participants": "企业负责人", "outcome": "承诺整改"}, CreditEventKind.INTERVIEW),
        ("rectification_order", {"decision_number": "责改〔2025〕2号", "deadline": date(2099, 1, 1)},
         CreditEventKind.RECTIFICATION_ORDER),
        ("blacklist_nomination", {"basis": "拒不整改"}, CreditEventKind.BLACKLIST_NOMINATION),
    ])
    def test_other_ledger_kinds(self, estates, county_user, kind, data, expected):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind=kind, **data)
        assert list(CreditEvent.objects.values_list("kind", flat=True)) == [expected]

    def test_onsite_visit_is_not_a_credit_event(self, estates, county_user):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="onsite_visit",
                           participants="县专班", outcome="现场督导")
        assert not CreditEvent.objects.exists()

    def test_refused_supervision_writes_nothing(self, estates, town_user):
        case = rectifying_case(estates["haiyang_1"])
        with pytest.raises(PermissionDenied):
            supervision_record(case_id=case.pk, user=town_user, kind="penalty", **PENALTY)
        assert not CreditEvent.objects.exists()

    def test_listed_supervision_not_lifted_by_deadline(self, estates, county_user):
        from enterprises.tasks import record_overdue_supervisions

        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                    level="county", deadline=date(2099, 1, 1))
        assert record_overdue_supervisions() == 0
        SupervisionAction.objects.filter(pk=action.pk).update(deadline=timezone.localdate() - timedelta(days=2))
        assert record_overdue_supervisions() == 1
        assert record_overdue_supervisions() == 0
        # lifting it late afterwards does not add a second event
        supervision_lift(supervision_id=action.pk, user=county_user)
        assert list(CreditEvent.objects.values_list("kind", flat=True)) == [CreditEventKind.SUPERVISION_OVERDUE]

    def test_lifting_late_records_it_by_the_lift(self, estates, county_user):
        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                    level="county", deadline=date(2099, 1, 1))
        SupervisionAction.objects.filter(pk=action.pk).update(deadline=timezone.localdate() - timedelta(days=1))
        supervision_lift(supervision_id=action.pk, user=county_user)
        assert CreditEvent.objects.get().kind == CreditEventKind.SUPERVISION_OVERDUE

    def test_lifting_in_time_records_nothing(self, estates, county_user):
        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                    level="county", deadline=date(2099, 1, 1))
        supervision_lift(supervision_id=action.pk, user=county_user)
        assert not CreditEvent.objects.exists()


class TestEvaluationRules:
    def test_black_for_an_overdue_listed_supervision_and_red_for_a_clean_one(self, estates, county_user, tree):
        case = rectifying_case(estates["haiyang_1"])
        action = supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision",
                                    level="county", deadline=date(2099, 1, 1))
        SupervisionAction.objects.filter(pk=action.pk).update(deadline=timezone.localdate() - timedelta(days=3))
        evaluation = open_evaluation(county_user, tree)
        proposals = {p.enterprise.name: p for p in evaluation.proposals.select_related("enterprise")}
        # the 屯溪 enterprise serves no estate in the county: it is not evaluated
        assert set(proposals) == {"海阳物业公司", "万安物业公司"}
        black = proposals["海阳物业公司"]
        assert black.proposed == ListType.BLACK
        assert any("挂牌督办未按期解除 1 次" in r for r in black.reasons)
        red = proposals["万安物业公司"]
        assert red.proposed == ListType.RED
        assert any("每百户核查属实投诉 0.00 件" in r for r in red.reasons)

    def test_penalty_makes_black(self, estates, county_user, tree):
        case = rectifying_case(estates["wanan_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        evaluation = open_evaluation(county_user, tree)
        proposal = evaluation.proposals.get(enterprise=case.enterprise)
        assert proposal.proposed == ListType.BLACK
        assert proposal.reasons == ["受到行政处罚 1 次（阈值：≥ 1）"]

    def test_complaints_per_100_households_use_the_county_threshold(self, estates, county_user, tree):
        # 海阳物业 serves 2 estates of 300 households: 7 verified complaint cases = 1.17 per 100.
        for _ in range(7):
            rectifying_case(estates["haiyang_1"], deadline=timezone.localdate() + timedelta(days=30))
        evaluation = open_evaluation(county_user, tree)
        proposal = evaluation.proposals.get(enterprise=estates["haiyang_1"].enterprise)
        assert proposal.proposed == ListType.NONE
        assert proposal.metrics["complaint_rate"] == "1.17"
        # the county lowers the black threshold in the admin: the next evaluation proposes black
        CreditRule.objects.filter(county=tree["county"], code="black_complaint_rate").update(threshold="1.00")
        proposal = open_evaluation(county_user, tree).proposals.get(enterprise=estates["haiyang_1"].enterprise)
        assert proposal.proposed == ListType.BLACK
        assert "每百户核查属实投诉 1.17 件，投诉集中（阈值：> 1.00）" in proposal.reasons

    def test_a_disabled_rule_does_not_fire(self, estates, county_user, tree):
        case = rectifying_case(estates["wanan_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        open_evaluation(county_user, tree)  # creates the county's rules
        CreditRule.objects.filter(county=tree["county"], code="black_penalty").update(is_active=False)
        proposal = open_evaluation(county_user, tree).proposals.get(enterprise=case.enterprise)
        assert proposal.proposed == ListType.NONE  # not black, and not red: one bad event

    def test_only_the_county_opens_and_only_in_scope(self, estates, county_user, town_user, city_user, tree):
        with pytest.raises(PermissionDenied):
            open_evaluation(town_user, tree)
        with pytest.raises(PermissionDenied):
            open_evaluation(city_user, tree)
        with pytest.raises(NotFound):
            services.evaluation_open(user=county_user, jurisdiction_id=tree["district"].pk,
                                     period_start="2025-01-01", period_end="2025-06-30")

    def test_bad_dates_are_refused_in_chinese(self, county_user, tree):
        with pytest.raises(DomainError, match="日期格式不正确"):
            services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                     period_start="2025-13-01", period_end="2025-06-30")
        with pytest.raises(DomainError, match="不能早于"):
            services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                     period_start="2025-06-01", period_end="2025-01-01")


class TestDecisionAndPublication:
    def _black_evaluation(self, estates, county_user, tree):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        evaluation = open_evaluation(county_user, tree)
        return evaluation, evaluation.proposals.get(enterprise=case.enterprise)

    def test_a_rejected_proposal_needs_a_reason(self, estates, county_user, tree):
        _evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        with pytest.raises(DomainError, match="须填写书面理由"):
            services.proposal_decide(user=county_user, proposal_id=proposal.pk, decision="rejected", reason="  ")
        proposal = services.proposal_decide(user=county_user, proposal_id=proposal.pk, decision="rejected",
                                            reason="处罚已履行，整改到位")
        assert (proposal.final, proposal.decided_by) == (ListType.NONE, county_user)

    def test_publish_needs_every_red_or_black_decided(self, estates, county_user, tree):
        evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        with pytest.raises(InvalidState, match="未作决定"):
            publish(county_user, evaluation)
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="经专班会议研究")
        evaluation = publish(county_user, evaluation)
        assert evaluation.status == EvaluationStatus.PUBLISHED
        entry = ListEntry.objects.get(enterprise=proposal.enterprise)
        assert entry.list_type == ListType.BLACK and entry.decision_number == "休整治办〔2025〕8号"
        assert "受到行政处罚" in entry.reason and "经专班会议研究" in entry.reason
        assert ListEntry.objects.filter(list_type=ListType.RED).count() == 1  # 万安物业
        with pytest.raises(InvalidState):
            services.proposal_decide(user=county_user, proposal_id=proposal.pk, decision="rejected", reason="x")

    def test_change_to_red_from_black_is_recorded(self, estates, county_user, tree):
        evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        with pytest.raises(DomainError, match="相同"):
            services.proposal_decide(user=county_user, proposal_id=proposal.pk, decision="changed", final="black",
                                     reason="x")
        services.proposal_decide(user=county_user, proposal_id=proposal.pk, decision="changed", final="none",
                                 reason="情节轻微，已整改")
        assert Proposal.objects.get(pk=proposal.pk).final == ListType.NONE

    def test_expired_black_entry_stops_counting(self, estates, county_user, tree):
        from enterprises.selectors import list_status_map

        evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
        today = timezone.localdate()
        publish(county_user, evaluation, decided_on=today - timedelta(days=400), valid_until=today - timedelta(days=35))
        assert list_status_map([proposal.enterprise_id]) == {}
        assert not ListEntry.objects.active_on(today).exists()

    def test_credit_repair_ends_a_black_entry_early(self, estates, county_user, tree):
        from enterprises.selectors import list_status_map

        evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
        publish(county_user, evaluation)
        assert list_status_map([proposal.enterprise_id]) == {proposal.enterprise_id: ListType.BLACK}
        entry = ListEntry.objects.get(enterprise=proposal.enterprise)
        with pytest.raises(DomainError, match="理由"):
            services.list_entry_end(user=county_user, entry_id=entry.pk, ended_on=timezone.localdate(), reason="")
        services.list_entry_end(user=county_user, entry_id=entry.pk, ended_on=timezone.localdate(),
                                reason="整改到位，准予信用修复（休整治办〔2025〕9号）")
        assert list_status_map([proposal.enterprise_id]) == {}


    def test_the_public_list_shows_the_facts_without_the_rule_thresholds(self, client, estates, county_user, tree):
        """The working group reads “受到行政处罚 1 次（阈值：≥ 1）”; the public reads the fact only."""
        evaluation, proposal = self._black_evaluation(estates, county_user, tree)
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="经专班会议研究")
        publish(county_user, evaluation)
        entry = ListEntry.objects.get(enterprise=proposal.enterprise)
        assert "阈值" in entry.reason  # the decision record keeps the rule
        assert "受到行政处罚 1 次" in entry.public_reason and "阈值" not in entry.public_reason
        page = client.get("/credit/").content.decode()
        assert "受到行政处罚 1 次" in page and "阈值" not in page
        assert "阈值" not in client.get(f"/credit/enterprises/{entry.enterprise_id}/").content.decode()
        workbook = openpyxl.load_workbook(io.BytesIO(client.get("/credit/?export=xlsx").content))
        cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
        assert any("受到行政处罚 1 次" in c for c in cells) and not any("阈值" in c for c in cells)


class TestObjections:
    def _published_black(self, estates, county_user, tree):
        case = rectifying_case(estates["haiyang_1"])
        supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
        evaluation = open_evaluation(county_user, tree)
        for p in evaluation.proposals.exclude(proposed=ListType.NONE):
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
        publish(county_user, evaluation)
        return ListEntry.objects.get(enterprise=case.enterprise, list_type=ListType.BLACK)

    def test_file_and_answer(self, estates, county_user, enterprise_user, tree):
        entry = self._published_black(estates, county_user, tree)
        objection = services.objection_file(user=enterprise_user, entry_id=entry.pk, content="处罚已全部履行，申请复核。")
        with pytest.raises(DomainError, match="待答复"):
            services.objection_file(user=enterprise_user, entry_id=entry.pk, content="再次提出异议的理由")
        with pytest.raises(PermissionDenied):
            services.objection_answer(user=enterprise_user, objection_id=objection.pk, outcome="revoked", answer="x")
        objection = services.objection_answer(user=county_user, objection_id=objection.pk, outcome="revoked",
                                              answer="经复核，处罚已履行，撤销黑榜认定。")
        assert objection.status == ObjectionStatus.ANSWERED
        entry.refresh_from_db()
        assert entry.ended_on == timezone.localdate() and "撤销认定" in entry.end_reason

    def test_another_enterprise_cannot_object(self, estates, county_user, tree):
        from accounts.models import Role
        from tests.factories import UserFactory

        entry = self._published_black(estates, county_user, tree)
        other = UserFactory(role=Role.ENTERPRISE, enterprise=estates["wanan_1"].enterprise)
        with pytest.raises(NotFound):
            services.objection_file(user=other, entry_id=entry.pk, content="这不是我们企业的认定")

    def test_staff_cannot_file_an_objection(self, estates, county_user, tree):
        entry = self._published_black(estates, county_user, tree)
        with pytest.raises(PermissionDenied):
            services.objection_file(user=county_user, entry_id=entry.pk, content="代企业提出异议")


def test_query_count_does_not_grow_with_enterprises(tree, county_user, django_assert_num_queries):
    """Opening an evaluation costs the same number of queries for 5 and for 50 enterprises."""

    def build(n):
        for _ in range(n):
            estate = EstateFactory(community=tree["xiuyang"], enterprise=EnterpriseFactory())
            rectifying_case(estate)

    def count_queries(n):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        build(n)
        open_evaluation(county_user, tree)  # first one creates the county's rules
        with CaptureQueriesContext(connection) as ctx:
            evaluation = open_evaluation(county_user, tree)
        return len(ctx.captured_queries), evaluation.proposals.count()

    five, proposals_5 = count_queries(5)
    fifty, proposals_50 = count_queries(45)
    assert (proposals_5, proposals_50) == (5, 50)
    assert five == fifty
    assert five <= 15


def test_list_counts_for_the_monthly_workbook(estates, county_user, tree):
    from enterprises.selectors import list_counts

    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    evaluation = open_evaluation(county_user, tree)
    for p in evaluation.proposals.exclude(proposed=ListType.NONE):
        services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="研究决定")
    publish(county_user, evaluation)
    assert list_counts(region_path=tree["county"].path) == {"red": 1, "black": 1}
    assert list_counts(region_path=tree["haiyang"].path) == {"red": 1, "black": 1}
    assert list_counts(region_path=tree["district"].path) == {"red": 0, "black": 0}


def test_a_county_can_require_a_commendation_for_red(estates, county_user, tree):
    open_evaluation(county_user, tree)
    CreditRule.objects.filter(county=tree["county"], code="red_min_good_events").update(threshold=1)
    services.credit_event_add(user=county_user, enterprise_id=estates["wanan_1"].enterprise_id,
                              kind="commendation", occurred_on=timezone.localdate(), description="通报表彰")
    proposals = {p.enterprise.name: p for p in open_evaluation(county_user, tree).proposals.select_related("enterprise")}
    assert proposals["万安物业公司"].proposed == ListType.RED
    assert proposals["海阳物业公司"].proposed == ListType.NONE
    assert "期内良好信用记录 0 条（红榜阈值：≥ 1），未达标" in proposals["海阳物业公司"].reasons


def test_withdrawn_event_stops_counting_and_leaves_the_public_page(estates, county_user, town_user, tree):
    case = rectifying_case(estates["wanan_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    event = CreditEvent.objects.get()
    with pytest.raises(PermissionDenied):
        services.credit_event_withdraw(user=town_user, event_id=event.pk, reason="录入错误")
    with pytest.raises(DomainError, match="理由"):
        services.credit_event_withdraw(user=county_user, event_id=event.pk, reason="")
    services.credit_event_withdraw(user=county_user, event_id=event.pk, reason="处罚决定已被依法撤销")
    event.refresh_from_db()
    assert event.withdrawn_at is not None and not event.is_published
    assert open_evaluation(county_user, tree).proposals.get(enterprise=case.enterprise).proposed == ListType.RED


def test_an_event_counts_in_every_evaluation_its_period_overlaps(estates, county_user, tree):
    case = rectifying_case(estates["wanan_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty",
                       **{**PENALTY, "occurred_on": timezone.localdate() - timedelta(days=300)})
    today = timezone.localdate()
    evaluation = services.evaluation_open(user=county_user, jurisdiction_id=tree["county"].pk,
                                          period_start=today - timedelta(days=30), period_end=today)
    assert evaluation.proposals.get(enterprise=case.enterprise).proposed == ListType.BLACK


def test_every_decision_is_kept_in_the_log(estates, county_user, enterprise_user, tree):
    from enterprises.models import CreditLog

    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="penalty", **PENALTY)
    evaluation = open_evaluation(county_user, tree)
    black = evaluation.proposals.get(proposed=ListType.BLACK)
    services.proposal_decide(user=county_user, proposal_id=black.pk, decision="rejected", reason="先不列入")
    services.proposal_decide(user=county_user, proposal_id=black.pk, decision="accepted", reason="复议后列入")
    for p in evaluation.proposals.filter(proposed=ListType.RED):
        services.proposal_decide(user=county_user, proposal_id=p.pk, decision="accepted", reason="同意")
    publish(county_user, evaluation)
    entry = ListEntry.objects.get(list_type=ListType.BLACK)
    objection = services.objection_file(user=enterprise_user, entry_id=entry.pk, content="申请复核黑榜认定")
    services.objection_answer(user=county_user, objection_id=objection.pk, outcome="maintained", answer="维持")
    log = list(CreditLog.objects.filter(evaluation=evaluation).values_list("kind", "from_state", "to_state", "note"))
    assert log[0][0] == "evaluation_opened"
    assert ("proposal_decided", "black", "none", "先不列入") in log
    assert ("proposal_decided", "none", "black", "复议后列入") in log
    assert [k for k, *_ in log][-3:] == ["evaluation_published", "objection_filed", "objection_answered"]
