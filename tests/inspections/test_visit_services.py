from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidInput, InvalidState, NotFound, PermissionDenied
from core.workdays import add_working_days
from inspections import selectors, services
from inspections.models import LineResult, Visit, VisitStatus
from rectification.models import Case, CaseEvent
from tests.factories import EstateFactory
from tests.rectification.factories import fake_png, png

from .factories import all_pass, category, make_round, record_visit

pytestmark = pytest.mark.django_db


def test_round_checklist_is_built_from_the_active_taxonomy(county_user, tree):
    round = make_round(county_user, tree["county"])
    items = list(round.items.select_related("category"))
    assert {i.category.code for i in items} >= {"A1", "B2", "C1", "F6"}
    assert "A" not in {i.category.code for i in items} and {"D", "E"} <= {i.category.code for i in items}
    a1 = next(i for i in items if i.category.code == "A1")
    assert (a1.group_label, a1.label) == ("物业服务履约不到位", "未按照合同约定提供服务")


def test_coverage_goes_from_0_to_100_percent_as_visits_arrive(county_user, tree):
    estates = [EstateFactory(community=tree["xiuyang" if i < 6 else "wanan_community"]) for i in range(10)]
    round = make_round(county_user, tree["county"])
    coverage = selectors.round_coverage(round=round, user=county_user)
    assert (coverage["expected"], coverage["inspected"], coverage["percent"]) == (10, 0, 0)
    assert coverage["missing_count"] == 10

    for index, estate in enumerate(estates, start=1):
        record_visit(county_user, round, estate)
        coverage = selectors.round_coverage(round=round, user=county_user)
        assert coverage["inspected"] == index
        assert coverage["percent"] == round_half(index * 10)
    assert coverage["percent"] == 100 and coverage["missing_count"] == 0
    towns = {t["name"]: t for t in coverage["towns"]}
    assert (towns["海阳镇"]["expected"], towns["万安镇"]["expected"]) == (6, 4)
    assert all(not c["missing"] for t in coverage["towns"] for c in t["communities"])


def round_half(value):
    return round(value)


def test_coverage_lists_estates_not_yet_visited_and_ignores_drafts(county_user, tree):
    done = EstateFactory(name="已查小区", community=tree["xiuyang"])
    EstateFactory(name="未查小区", community=tree["xiuyang"])
    drafted = EstateFactory(name="草稿小区", community=tree["chengbei"])
    round = make_round(county_user, tree["haiyang"])
    record_visit(county_user, round, done)
    record_visit(county_user, round, drafted, submit=False)
    coverage = selectors.round_coverage(round=round, user=county_user)
    missing = {e["name"] for t in coverage["towns"] for c in t["communities"] for e in c["missing"]}
    assert missing == {"未查小区", "草稿小区"}
    assert (coverage["expected"], coverage["inspected"], coverage["percent"]) == (3, 1, 33)


def test_coverage_is_limited_to_the_users_scope(county_user, town_user, other_town_user, tree):
    EstateFactory(community=tree["xiuyang"])
    EstateFactory(community=tree["wanan_community"])
    round = make_round(county_user, tree["county"])
    assert selectors.round_coverage(round=round, user=county_user)["expected"] == 2
    assert selectors.round_coverage(round=round, user=town_user)["expected"] == 1
    assert [t["name"] for t in selectors.round_coverage(round=round, user=other_town_user)["towns"]] == ["万安镇"]


def test_a_failure_opens_a_case_and_a_second_visit_with_the_same_failure_joins_it(community_user, county_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    round = make_round(county_user, tree["county"])
    first = record_visit(community_user, round, estate, failures={"A3": "消防通道被杂物堵塞"})
    line = first.lines.get(category__code="A3")
    case = line.case
    assert case is not None and case.source == "inspection" and case.estate == estate
    assert case.description == "消防通道被杂物堵塞"
    assert case.deadline == add_working_days(timezone.localdate(), 15)
    assert first.lines.filter(case__isnull=False).count() == 1

    second = record_visit(county_user, round, estate, failures={"A3": "复查仍有堵塞"})
    assert second.lines.get(category__code="A3").case_id == case.pk
    assert Case.objects.filter(estate=estate).count() == 1
    assert case.clues.count() == 2
    assert case.clues.filter(source_app_label="inspections").count() == 2
    assert CaseEvent.objects.filter(case=case, kind="clue_joined").count() == 1


def test_a_draft_opens_nothing_until_submitted(community_user, county_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    round = make_round(county_user, tree["county"])
    draft = services.visit_save(
        user=community_user, round_id=round.pk, estate_id=estate.pk, inspectors="王芳",
        lines={category("B2").pk: {"result": "fail", "note": "电梯广告收益去向不明"}},
        photos={category("B2").pk: [png()]},
    )
    assert draft.status == VisitStatus.DRAFT
    assert Case.objects.count() == 0
    assert draft.lines.get(category__code="B2").photos.count() == 1
    assert draft.lines.count() == round.items.count()

    # finishing it later: the other lines answered, then submitted
    answers = all_pass(round)
    del answers[category("B2").pk]  # left as saved in the draft
    visit = services.visit_save(user=community_user, visit_id=draft.pk, lines=answers, submit=True)
    assert visit.pk == draft.pk and Visit.objects.get(pk=draft.pk).status == VisitStatus.SUBMITTED
    case = Case.objects.get()
    assert case.category.code == "B2" and case.description == "电梯广告收益去向不明"

    with pytest.raises(InvalidState):
        services.visit_save(user=community_user, visit_id=draft.pk, lines=answers, submit=True)
    assert Case.objects.count() == 1


def test_submitting_needs_every_line_answered_and_failures_described(community_user, county_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    round = make_round(county_user, tree["county"])
    with pytest.raises(DomainError, match="未填写检查结果"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk,
                            lines={category("A1").pk: {"result": "pass"}}, submit=True)
    answers = all_pass(round, A1=("fail", ""))
    with pytest.raises(DomainError, match="不合格项须填写问题描述"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk, lines=answers, submit=True)
    assert Visit.objects.count() == 0, "a refused submission leaves nothing behind"
    with pytest.raises(DomainError, match="检查结果只能是"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk,
                            lines={category("A1").pk: {"result": "bad"}})
    with pytest.raises(DomainError, match="排查日期不能晚于今天"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk,
                            visited_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(InvalidInput, match="格式不正确"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk, visited_on="2026-13-45")


def test_photos_must_be_images(community_user, county_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    round = make_round(county_user, tree["county"])
    with pytest.raises(DomainError, match="不是允许的类型"):
        services.visit_save(user=community_user, round_id=round.pk, estate_id=estate.pk,
                            photos={category("A1").pk: [fake_png()]})
    assert Visit.objects.count() == 0


def test_visits_are_scoped(other_town_user, community_user, county_user, city_user, enterprise_user, tree, estates):
    round = make_round(county_user, tree["county"])
    with pytest.raises(NotFound):
        record_visit(other_town_user, round, estates["haiyang_1"])
    with pytest.raises(PermissionDenied):
        record_visit(city_user, round, estates["haiyang_1"])
    with pytest.raises(PermissionDenied):
        record_visit(enterprise_user, round, estates["haiyang_1"])  # enterprises self-check instead
    with pytest.raises(DomainError, match="不在本轮排查范围"):
        town_round = make_round(county_user, tree["wanan"])
        record_visit(county_user, town_round, estates["haiyang_1"])
    draft = record_visit(community_user, round, estates["haiyang_1"], submit=False)
    with pytest.raises(NotFound):
        services.visit_save(user=other_town_user, visit_id=draft.pk, submit=True)


def test_self_check_opens_self_check_cases_with_a_softer_deadline(enterprise_user, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    visit = record_visit(enterprise_user, round, estates["haiyang_1"], kind="self_check",
                         failures={"B3": "公共收益未按季度公示"})
    case = visit.lines.get(category__code="B3").case
    assert case.source == "self_check"
    assert case.deadline == add_working_days(timezone.localdate(), 30)
    with pytest.raises(NotFound):
        record_visit(enterprise_user, round, estates["wanan_1"], kind="self_check")  # not its estate

    rows = {r["name"]: r for r in selectors.round_self_checks(round=round, user=county_user)}
    assert rows["海阳物业公司"]["checked"] == 1 and rows["海阳物业公司"]["served"] == 2
    assert rows["万安物业公司"]["not_started"] is True
    assert not rows["海阳物业公司"]["not_started"]


def test_self_checks_do_not_count_as_coverage(enterprise_user, county_user, tree, estates):
    round = make_round(county_user, tree["haiyang"])
    record_visit(enterprise_user, round, estates["haiyang_1"], kind="self_check")
    assert selectors.round_coverage(round=round, user=county_user)["inspected"] == 0


def test_checklist_edit_relabels_switches_off_and_adds(county_user, town_user, tree):
    round = make_round(county_user, tree["county"])
    a1 = round.items.get(category__code="A1")
    b1 = round.items.get(category__code="B1")
    b1.delete()
    services.checklist_update(
        user=county_user, round_id=round.pk, changes={a1.pk: {"label": "合同约定服务落实情况", "is_active": True}},
        add_category_id=category("B1").pk,
    )
    a1.refresh_from_db()
    assert a1.label == "合同约定服务落实情况" and round.items.filter(category__code="B1").exists()
    services.checklist_update(user=county_user, round_id=round.pk, changes={a1.pk: {"label": a1.label, "is_active": False}})
    assert category("A1").pk not in {e.category.pk for e in selectors.visit_checklist(round=round)}
    with pytest.raises(PermissionDenied):
        services.checklist_update(user=town_user, round_id=round.pk, changes={})
    with pytest.raises(DomainError, match="不能为空"):
        services.checklist_update(user=county_user, round_id=round.pk, changes={a1.pk: {"label": " "}})


def test_round_create_checks_role_region_and_dates(county_user, town_user, community_user, tree):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.round_create(user=community_user, name="x", region_id=tree["xiuyang"].pk, start_date=today, end_date=today)
    with pytest.raises(DomainError, match="排查范围"):
        services.round_create(user=town_user, name="x", region_id=tree["county"].pk, start_date=today, end_date=today)
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        services.round_create(user=county_user, name="x", region_id=tree["county"].pk, start_date=today,
                              end_date=today - timedelta(days=1))
    round = services.round_create(user=town_user, name="海阳镇排查", region_id=tree["haiyang"].pk, start_date=today,
                                  end_date=today)
    assert round.items.exists()


def test_results_are_recorded_per_line(community_user, county_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    round = make_round(county_user, tree["county"])
    visit = record_visit(community_user, round, estate, failures={"A2": "未公示收费标准"})
    results = dict(visit.lines.values_list("category__code", "result"))
    assert results["A2"] == LineResult.FAIL and results["A1"] == LineResult.PASS


def test_coverage_counts_managed_estates_and_lists_the_unmanaged_on_their_own(county_user, tree):
    """排查覆盖率 as reporting defines it: a visited estate without property management raises
    neither side of the ratio; it is counted on its own line (the round's list and its page)."""
    from reporting.figures import provider_figures

    managed = [EstateFactory(community=tree["xiuyang"]) for _ in range(2)]
    bare = EstateFactory(community=tree["xiuyang"], enterprise=None, management_type="none")
    round = make_round(county_user, tree["county"])
    record_visit(county_user, round, managed[0])
    record_visit(county_user, round, bare)
    coverage = selectors.round_coverage(round=round, user=county_user)
    assert (coverage["expected"], coverage["inspected"], coverage["percent"]) == (2, 1, 50)
    assert (coverage["unmanaged"], coverage["unmanaged_inspected"]) == (1, 1)
    listed = selectors.round_list(user=county_user).get(pk=round.pk)
    assert (listed.expected_count, listed.inspected_count) == (2, 1)
    today = timezone.localdate()
    town = provider_figures("inspections", tree["county"], today - timedelta(days=400), today)[tree["haiyang"].pk]
    assert (town["estates_managed"], town["estates_inspected"]) == (2, 1)
    assert (town["estates_unmanaged"], town["estates_unmanaged_inspected"]) == (1, 1)
