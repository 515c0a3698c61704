"""Ballots: one per unit whatever the channel, changeable electronically until the close, the code
bound to its unit, and a log that never holds the choices."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidState, MissingField, NotFound
from tests.rectification.factories import png
from votes import services
from votes.models import Ballot, BallotChannel, BallotChoice, VoteEvent, VoteStatus

from .conftest import all_choices

pytestmark = pytest.mark.django_db


def codes_by_unit(user, vote):
    return {i.unit.unit: i.code for i in services.ballot_codes_issue(user=user, vote_id=vote.pk)}


def test_an_owner_votes_and_changes_the_vote_until_the_close(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    ballot = services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote, "yes"))
    services.ballot_cast(code=codes["1-101"].lower().replace("-", " "), choices=all_choices(open_vote, "no"))
    ballot.refresh_from_db()
    assert Ballot.objects.filter(vote=open_vote).count() == 1
    assert ballot.changes == 1
    assert set(BallotChoice.objects.filter(ballot=ballot).values_list("choice", flat=True)) == {"no"}


def test_one_ballot_per_unit_with_electronic_and_paper_together(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    unit = services.ballot_code_find(code=codes["1-101"]).unit
    services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote))
    with pytest.raises(Conflict, match="每户只计一票"):
        services.ballot_enter_paper(user=community_user, vote_id=open_vote.pk, unit_id=unit.pk,
                                    choices=all_choices(open_vote, "no"), photo=png())
    # and the other way round: paper first, then the owner's code
    other = services.ballot_code_find(code=codes["1-102"]).unit
    services.ballot_enter_paper(user=community_user, vote_id=open_vote.pk, unit_id=other.pk,
                                choices=all_choices(open_vote, "no"), photo=png())
    with pytest.raises(Conflict, match="纸质表决票"):
        services.ballot_cast(code=codes["1-102"], choices=all_choices(open_vote))
    assert Ballot.objects.filter(vote=open_vote, unit=unit).count() == 1
    assert Ballot.objects.filter(vote=open_vote, unit=other, channel=BallotChannel.PAPER).count() == 1
    # the database holds the rule even if a service were bypassed
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=open_vote, unit=unit, channel=BallotChannel.PAPER, area=unit.area, photo="x.png")


def test_paper_ballot_needs_a_photo_and_a_unit_of_the_estate(open_vote, community_user, estates):
    unit = open_vote.estate.owner_units.first()
    with pytest.raises(MissingField):
        services.ballot_enter_paper(user=community_user, vote_id=open_vote.pk, unit_id=unit.pk,
                                    choices=all_choices(open_vote), photo=None)
    with pytest.raises(NotFound):
        services.ballot_enter_paper(user=community_user, vote_id=open_vote.pk, unit_id=999999,
                                    choices=all_choices(open_vote), photo=png())


def test_every_matter_must_be_answered(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    with pytest.raises(MissingField):
        services.ballot_cast(code=codes["1-101"], choices={})


def test_a_reissued_code_replaces_the_old_one(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    unit = services.ballot_code_find(code=codes["1-101"]).unit
    [new] = services.ballot_codes_issue(user=community_user, vote_id=open_vote.pk, unit_ids=[unit.pk])
    with pytest.raises(NotFound):
        services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote))
    assert services.ballot_cast(code=new.code, choices=all_choices(open_vote)).unit == unit


def test_no_ballot_after_the_deadline(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    type(open_vote).objects.filter(pk=open_vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidState, match="截止"):
        services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote))


def test_the_log_names_the_unit_and_channel_never_the_choice(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote, "yes"))
    services.ballot_cast(code=codes["1-101"], choices=all_choices(open_vote, "no"))
    events = list(VoteEvent.objects.filter(vote=open_vote, kind__in=["ballot_cast", "ballot_changed"]))
    assert [e.kind for e in events] == ["ballot_cast", "ballot_changed"]
    for event in events:
        text = f"{event.note} {event.data}"
        assert "yes" not in text and "no'" not in text and "同意" not in text and "反对" not in text
        assert event.data["channel"] == "electronic"


def test_codes_stop_working_after_close(open_vote, community_user):
    codes = codes_by_unit(community_user, open_vote)
    for code in list(codes.values())[:3]:
        services.ballot_cast(code=code, choices=all_choices(open_vote))
    services.ballot_cast(code=codes["1-202"], choices=all_choices(open_vote, "no"))
    vote = services.vote_close(user=community_user, vote_id=open_vote.pk)
    assert vote.status == VoteStatus.CLOSED
    assert services.ballot_code_find(code=codes["1-101"]) is None
