"""seed_demo holds one closed and one open vote in the demo county."""

import pytest
from django.utils import timezone

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


def test_demo_vote_convened_by_a_committee_falls_within_its_term(demo_county):
    """Where a demo estate has a current committee whose term covers the vote, one vote is the
    committee's; the other is the community's."""
    votes = list(Vote.objects.filter(estate__community__path__startswith=demo_county.path).select_related("committee"))
    convened = [v for v in votes if v.committee_id]
    assert len(votes) == 2 and len(convened) <= 1
    for vote in convened:
        committee = vote.committee
        assert committee.estate_id == vote.estate_id and committee.is_current
        assert committee.term_start <= timezone.localdate(vote.opened_at) and committee.term_end >= timezone.localdate()
        assert vote.convened_by.startswith(vote.estate.name)
