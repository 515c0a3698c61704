"""A vote at 海阳花园 (秀阳社区, 海阳镇) over a register of four units."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

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
