"""Helpers for inspection tests: rounds over the fixture tree and visits through the service."""

from datetime import timedelta

from django.utils import timezone

from campaigns.models import ProblemCategory
from inspections import services
from inspections.models import InspectionRound


def make_round(user, region, *, name="2026年第一轮全面排查", days_back=30, days_ahead=30, campaign=None) -> InspectionRound:
    today = timezone.localdate()
    return services.round_create(
        user=user, name=name, region_id=region.pk, start_date=today - timedelta(days=days_back),
        end_date=today + timedelta(days=days_ahead), campaign_id=campaign.pk if campaign else None,
    )


def category(code="A1") -> ProblemCategory:
    return ProblemCategory.objects.get(code=code)


def all_pass(round, **overrides) -> dict:
    """Answers for every active line of the round: 合格, except the overrides {code: (result, note)}."""
    answers = {}
    for item in round.items.filter(is_active=True).select_related("category"):
        result, note = overrides.get(item.category.code, ("pass", ""))
        answers[item.category_id] = {"result": result, "note": note}
    return answers


def record_visit(user, round, estate, *, submit=True, failures=None, kind="inspection", **kwargs):
    """failures: {code: note} marked 不合格."""
    overrides = {code: ("fail", note) for code, note in (failures or {}).items()}
    return services.visit_save(
        user=user, kind=kind, round_id=round.pk, estate_id=estate.pk,
        **{"visited_on": timezone.localdate(), "inspectors": "王芳、李明", **kwargs},
        lines=all_pass(round, **overrides), submit=submit,
    )
