"""Ballots: one per unit whatever the channel, changeable electronically until the close, the code
bound to its unit, and a log that never holds the choices."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidState, MissingField, NotFound
from core.models import SmsMessage
from tests.rectification.factories import png
from votes import services
from votes.models import Ballot, BallotChannel, BallotChoice, OwnerUnit, VoteEvent, VoteStatus

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


def test_codes_by_sms_reach_each_registered_mobile_once(open_vote, community_user, django_capture_on_commit_callbacks):
    """by_sms: every unit with a mobile is texted its own code (the code the printed notice shows);
    a reissued code is a new message, and the vote's log counts the texts, never a code."""
    units = list(OwnerUnit.objects.filter(estate_id=open_vote.estate_id).order_by("unit"))
    OwnerUnit.objects.filter(pk=units[3].pk).update(phone_encrypted="")  # no mobile registered
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.ballot_codes_issue(user=community_user, vote_id=open_vote.pk, by_sms=True)
    assert [i.texted for i in issued] == [True, True, True, False]
    messages = list(SmsMessage.objects.filter(kind="vote_code").order_by("pk"))
    assert len(messages) == 3 and all(m.to_masked == "138****8000" for m in messages)
    assert issued[0].code in messages[0].text and "1-101" in messages[0].text and issued[1].code not in messages[0].text
    event = VoteEvent.objects.filter(vote=open_vote, kind="codes_issued").latest("pk")
    assert event.data["texted"] == 3 and all(i.code not in f"{event.note} {event.data}" for i in issued)
    with django_capture_on_commit_callbacks(execute=True):
        [again] = services.ballot_codes_issue(user=community_user, vote_id=open_vote.pk, unit_ids=[units[0].pk], by_sms=True)
    assert SmsMessage.objects.filter(kind="vote_code").count() == 4 and again.code in SmsMessage.objects.latest("pk").text


def test_the_staff_page_texts_the_codes_when_asked(client, open_vote, community_user):
    client.force_login(community_user)
    page = client.post(f"/votes/{open_vote.pk}/codes/", {"sms": "1"})
    assert page.status_code == 200
    assert "4 户的投票码已同时以短信发送" in page.content.decode()
