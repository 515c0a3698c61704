from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from core.errors import DomainError, PermissionDenied
from inspections import selectors, services
from inspections.models import SpotCheckCandidate, SpotCheckDraw, Visit, VisitKind
from inspections.sampling import weighted_sample
from rectification.models import CaseEvent
from tests.complaints.factories import complaint
from tests.factories import EstateFactory
from tests.rectification.factories import CaseFactory, rectifying_case

from .factories import category, make_round, record_visit

# ------------------------------------------------------------------ the sampling itself (no DB)


def test_weight_10_is_drawn_clearly_more_often_than_weight_1():
    candidates = [("heavy", 10), ("light", 1)] + [(f"e{i:02d}", 3) for i in range(20)]
    counts = Counter()
    draws = 2000
    for seed in range(draws):
        counts.update(weighted_sample(candidates, 3, seed=seed))
    # expected inclusion: heavy ≈ 0.40, light ≈ 0.05 (weights 10 and 1 among a total of 71)
    assert counts["heavy"] > 5 * counts["light"]
    assert 0.30 < counts["heavy"] / draws < 0.50
    assert 0.02 < counts["light"] / draws < 0.09


def test_first_pick_frequencies_follow_the_weights():
    candidates = [("a", 10), ("b", 1), ("c", 5)]
    firsts = Counter(weighted_sample(candidates, 1, seed=seed)[0] for seed in range(8000))
    for key, weight in candidates:
        assert abs(firsts[key] / 8000 - weight / 16) < 0.02, (key, firsts)


def test_the_same_seed_gives_the_same_sample_whatever_the_order():
    candidates = [(i, (i % 7) + 1) for i in range(100)]
    sample = weighted_sample(candidates, 10, seed=42)
    assert weighted_sample(list(reversed(candidates)), 10, seed=42) == sample
    assert weighted_sample(candidates, 10, seed=43) != sample


def test_no_estate_twice_and_never_more_than_there_are():
    candidates = [(i, 1 + i % 5) for i in range(30)]
    for seed in range(200):
        sample = weighted_sample(candidates, 10, seed=seed)
        assert len(sample) == len(set(sample)) == 10
    assert sorted(weighted_sample(candidates, 50, seed=1)) == list(range(30))
    assert weighted_sample([("zero", 0), ("one", 1)], 2, seed=1) == ["one"]


# ------------------------------------------------------------------ the stored draw


@pytest.mark.django_db
def test_weights_come_from_complainants_unsatisfied_overdue_and_reopened_cases(county_user, tree):
    quiet = EstateFactory(community=tree["xiuyang"])
    noisy = EstateFactory(community=tree["xiuyang"])
    late = EstateFactory(community=tree["chengbei"])
    complaint(noisy, phone="13800000001")
    complaint(noisy, phone="13800000001", code="B2")  # the same person again: one complainant
    complaint(noisy, phone="13800000002")
    complaint(noisy, phone=None, code="C1")  # anonymous: counted as one person
    old = complaint(noisy, phone="13800000003")
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=120))
    Complaint.objects.filter(pk=complaint(noisy, phone="13800000004").pk).update(
        satisfaction="unsatisfied", rated_at=timezone.now()
    )
    rectifying_case(late, deadline=timezone.localdate() - timedelta(days=3))
    reopened = CaseFactory(estate=late, state="rectifying")
    CaseEvent.objects.create(case=reopened, kind="transition", transition="reopen", label="重新打开")
    signals = selectors.spot_check_signals(estate_ids=[quiet.pk, noisy.pk, late.pk])
    assert signals[quiet.pk] == {"complainants": 0, "unsatisfied": 0, "overdue": 0, "reopened": 0}
    assert signals[noisy.pk]["complainants"] == 4, "distinct phones plus anonymous ones; older than 90 days ignored"
    assert signals[noisy.pk]["unsatisfied"] == 1
    assert (signals[late.pk]["overdue"], signals[late.pk]["reopened"]) == (1, 1)
    assert selectors.spot_check_weight(signals[quiet.pk]) == 1
    assert selectors.spot_check_weight(signals[noisy.pk]) == 1 + 4 + 2
    assert selectors.spot_check_weight(signals[late.pk]) == 1 + 2 + 3


@pytest.mark.django_db
def test_a_missing_complaint_register_fails_loudly(county_user, tree, monkeypatch):
    """No quieter figure (the ledger's clues, or nothing) stands in for the complaints register."""
    monkeypatch.setattr(selectors, "COMPLAINT_MODEL", "complaints.NoSuchModel")
    estate = EstateFactory(community=tree["xiuyang"])
    with pytest.raises(LookupError):
        selectors.spot_check_signals(estate_ids=[estate.pk])


@pytest.mark.django_db
def test_draw_is_stored_reproducible_and_excludes_recent_visits(county_user, tree):
    estates = [EstateFactory(community=tree["xiuyang" if i % 2 else "wanan_community"]) for i in range(12)]
    round = make_round(county_user, tree["county"])
    recent = estates[:3]
    for estate in recent:
        record_visit(county_user, round, estate)
    for n in range(5):
        complaint(estates[5], phone=f"1390000000{n}")

    draw = services.spot_check_draw(user=county_user, region_id=tree["county"].pk, sample_size=4, seed=2026,
                                    exclude_recent_days=30)
    drawn = list(SpotCheckCandidate.objects.filter(draw=draw, position__isnull=False).order_by("position"))
    assert len(drawn) == 4 and len({c.estate_id for c in drawn}) == 4
    assert not {c.estate_id for c in drawn} & {e.pk for e in recent}
    assert draw.candidates.count() == 12
    assert draw.candidates.exclude(excluded_reason="").count() == 3
    assert draw.candidates.get(estate=estates[5]).weight == 6
    assert draw.candidates.get(estate=estates[5]).signals["complainants"] == 5
    assert services.spot_check_redraw(draw=draw) == [c.estate_id for c in drawn]

    again = services.spot_check_draw(user=county_user, region_id=tree["county"].pk, sample_size=4, seed=2026,
                                     exclude_recent_days=30)
    assert list(again.candidates.filter(position__isnull=False).order_by("position").values_list("estate_id", flat=True)) \
        == [c.estate_id for c in drawn]


@pytest.mark.django_db
def test_excluded_estates_never_appear_over_many_draws(county_user, tree):
    estates = [EstateFactory(community=tree["xiuyang"]) for _ in range(8)]
    round = make_round(county_user, tree["haiyang"])
    record_visit(county_user, round, estates[0])
    record_visit(county_user, round, estates[1])
    seen = set()
    for seed in range(25):
        draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=5, seed=seed)
        seen |= set(draw.candidates.filter(position__isnull=False).values_list("estate_id", flat=True))
    assert not seen & {estates[0].pk, estates[1].pk}
    assert seen == {e.pk for e in estates[2:]}
    # without the exclusion they can be drawn
    draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=8, seed=1,
                                    exclude_recent_days=0)
    assert draw.candidates.filter(position__isnull=False).count() == 8


@pytest.mark.django_db
def test_spot_check_results_are_visits_of_the_drawn_estates(county_user, town_user, tree):
    estates = [EstateFactory(community=tree["xiuyang"]) for _ in range(4)]
    draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=2, seed=7)
    chosen = draw.candidates.filter(position__isnull=False).first().estate
    other = next(e for e in estates if not draw.candidates.get(estate=e).position)
    lines = {c.pk: {"result": "pass"} for c in [e.category for e in selectors.visit_checklist(round=None)]}
    lines[category("A3").pk] = {"result": "fail", "note": "消防通道堵塞"}
    visit = services.visit_save(user=county_user, kind=VisitKind.SPOT_CHECK, spot_draw_id=draw.pk, estate_id=chosen.pk,
                                lines=lines, submit=True)
    assert visit.spot_draw == draw and visit.lines.get(category__code="A3").case.source == "spot_check"
    with pytest.raises(DomainError, match="不在本批次抽中"):
        services.visit_save(user=county_user, kind=VisitKind.SPOT_CHECK, spot_draw_id=draw.pk, estate_id=other.pk)
    with pytest.raises(PermissionDenied):
        services.visit_save(user=town_user, kind=VisitKind.SPOT_CHECK, spot_draw_id=draw.pk, estate_id=chosen.pk)


@pytest.mark.django_db
def test_draw_refusals_are_chinese(county_user, town_user, tree):
    EstateFactory(community=tree["xiuyang"])
    with pytest.raises(PermissionDenied):
        services.spot_check_draw(user=town_user, region_id=tree["haiyang"].pk, sample_size=1)
    with pytest.raises(DomainError, match="抽取数量须在"):
        services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=0)
    with pytest.raises(DomainError, match="须为整数"):
        services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size="abc")
    with pytest.raises(DomainError, match="抽查范围"):
        services.spot_check_draw(user=county_user, region_id=tree["laojie"].pk, sample_size=1)
    draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=3)
    assert draw.seed >= 0 and draw.candidates.filter(position__isnull=False).count() == 1


@pytest.mark.django_db
def test_spot_checks_stay_unannounced_to_towns_communities_and_enterprises(
    county_user, town_user, community_user, enterprise_user, city_user, tree, estates
):
    draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=2, seed=3)
    chosen = draw.candidates.filter(position__isnull=False).first().estate
    draft = services.visit_save(user=county_user, kind=VisitKind.SPOT_CHECK, spot_draw_id=draw.pk, estate_id=chosen.pk)
    for user in (town_user, community_user, enterprise_user):
        assert not SpotCheckDraw.objects.visible_to(user).exists()
        assert not Visit.objects.visible_to(user).filter(pk=draft.pk).exists()
    assert SpotCheckDraw.objects.visible_to(city_user).exists()
    lines = {e.category.pk: {"result": "pass"} for e in selectors.visit_checklist(round=None)}
    services.visit_save(user=county_user, visit_id=draft.pk, lines=lines, submit=True)
    assert Visit.objects.visible_to(town_user).filter(pk=draft.pk).exists(), "the result is visible once recorded"
