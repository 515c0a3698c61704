"""A vote at 海阳花园 (秀阳社区, 海阳镇) over a register of four units."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from subjects import services as subject_services
from subjects.models import CommitteeKind, OwnersCommittee
from votes import services
from votes.models import Vote
from votes.rules import MatterKind

#: unit → area: 100 + 100 + 100 + 100 = 400 ㎡
UNITS = {"1-101": "100.00", "1-102": "100.00", "1-201": "100.00", "1-202": "100.00"}


@pytest.fixture
def register(estates, community_user):
    estate = estates["haiyang_1"]
    return [
        services.owner_unit_record(user=community_user, estate_id=estate.pk, unit=unit, owner_names="张三、李四",
                                   area=Decimal(area), phone="13800138000")
        for unit, area in UNITS.items()
    ]


def committee_for(user, estate, *, term_end: date | None = None,
                  kind=CommitteeKind.OWNERS_COMMITTEE) -> OwnersCommittee:
    """A committee recorded through the subjects service (a second one for the estate is its 换届)."""
    term_end = term_end or timezone.localdate() + timedelta(days=700)
    return subject_services.committee_save(user=user, data=subject_services.CommitteeInput(
        estate_id=estate.pk, kind=kind, term_start=term_end - timedelta(days=5 * 365), term_end=term_end))


@pytest.fixture
def committee(estates, county_user):
    """海阳花园's current 业主委员会."""
    return committee_for(county_user, estates["haiyang_1"])


def make_vote(*, user, estate, kinds=(MatterKind.DISMISS,), open_it=True, **matter_kwargs) -> Vote:
    vote = services.vote_create(user=user, estate_id=estate.pk, title="2026年业主大会",
                                closes_at=timezone.now() + timedelta(days=7))
    for kind in kinds:
        extra = dict(matter_kwargs)
        if kind == MatterKind.RENEW:
            extra.setdefault("renew_until", timezone.localdate() + timedelta(days=3 * 365))
        services.matter_add(user=user, vote_id=vote.pk, kind=kind, title=f"是否{MatterKind(kind).label}", **extra)
    if open_it:
        services.vote_open(user=user, vote_id=vote.pk)
    vote.refresh_from_db()
    return vote


@pytest.fixture
def open_vote(register, estates, community_user):
    return make_vote(user=community_user, estate=estates["haiyang_1"])


def all_choices(vote, choice="yes") -> dict:
    return {str(m.pk): choice for m in vote.matters.all()}
