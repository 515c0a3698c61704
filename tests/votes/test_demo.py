"""seed_demo holds one closed and one open vote in the demo county."""

import pytest

from votes.models import Ballot, Vote, VoteStatus

pytestmark = pytest.mark.django_db


def test_demo_has_a_closed_and_an_open_vote(demo_county):
    votes = Vote.objects.filter(estate__community__path__startswith=demo_county.path)
    closed = votes.get(status=VoteStatus.CLOSED)
    open_vote = votes.get(status=VoteStatus.OPEN)
    assert len(closed.result_hash) == 64
    assert {m.kind: m.passed for m in closed.matters.all()} == {"renew": True, "fund_use": False}
    assert closed.closed_at < open_vote.created_at
    assert Ballot.objects.filter(vote=open_vote).count() == 10
    assert Ballot.objects.filter(vote=open_vote, channel="paper").count() == 1
