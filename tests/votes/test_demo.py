"""seed_demo holds one closed and one open vote in the demo county."""

from datetime import timedelta

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


def test_every_demo_vote_row_is_dated_in_the_order_it_was_run(demo_county):
    # register → created → opened → ballots → closed, and the log in that order too
    from votes.models import OwnerUnit, VoteEvent

    now = timezone.now()
    for vote in Vote.objects.filter(estate__community__path__startswith=demo_county.path):
        registered = max(OwnerUnit.objects.filter(estate=vote.estate).values_list("created_at", flat=True))
        end = vote.closed_at or now
        assert registered < vote.created_at < vote.opened_at < end <= now
        for cast_at in Ballot.objects.filter(vote=vote).values_list("cast_at", flat=True):
            assert vote.opened_at < cast_at < end
        events = list(VoteEvent.objects.filter(vote=vote).order_by("pk").values_list("kind", "at"))
        times = [at for _kind, at in events]
        assert times == sorted(times), events
        assert times[0] - vote.created_at < timedelta(minutes=1)
        if vote.closed_at:
            closing = [at for kind, at in events if kind in ("closed", "decision_applied")]
            assert closing and all(abs(at - vote.closed_at) < timedelta(minutes=1) for at in closing)
