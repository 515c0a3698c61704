"""The count at close: both thresholds, the frozen hash, and what a decision sets going — the exit
record with the 60-day notice of 第九百四十六条, the renewed contract, the failed decision kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import InvalidInput, InvalidState
from core.models import Notification
from enterprises.models import ExitReason, ExitRecord
from tests.rectification.factories import png
from votes import services
from votes.models import Vote, VoteEvent, VoteStatus
from votes.rules import MatterKind

from .conftest import all_choices, make_vote

pytestmark = pytest.mark.django_db


def vote_all(user, vote, choices_by_unit: dict):
    codes = {i.unit.unit: i.code for i in services.ballot_codes_issue(user=user, vote_id=vote.pk)}
    for unit, choice in choices_by_unit.items():
        services.ballot_cast(code=codes[unit], choices=all_choices(vote, choice))


def test_close_before_the_deadline_is_refused_while_units_have_not_voted(open_vote, community_user):
    vote_all(community_user, open_vote, {"1-101": "yes"})
    with pytest.raises(InvalidState, match="未到"):
        services.vote_close(user=community_user, vote_id=open_vote.pk)


def test_passed_dismissal_by_county_fills_the_exit_record_with_the_60_day_deadline(register, estates, county_user):
    estate = estates["haiyang_1"]
    vote = make_vote(user=county_user, estate=estate, new_manager_name="业主委员会")
    vote_all(county_user, vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes", "1-202": "no"})
    services.vote_close(user=county_user, vote_id=vote.pk)
    matter = vote.matters.get()
    assert matter.passed is True
    record = ExitRecord.objects.get(estate=estate)
    today = timezone.localdate()
    assert record.reason == ExitReason.DISMISSED
    assert record.enterprise == estate.enterprise
    assert record.decision_date == today and record.notice_date == today
    assert record.handover_deadline == today + timedelta(days=60)
    assert "通过" in record.decision and "同意面积 300.00㎡" in record.decision
    assert matter.exit_record == record and "第九百四十六条" in matter.outcome


def test_a_proposed_handover_before_the_notice_period_is_refused(register, estates, county_user):
    vote = make_vote(user=county_user, estate=estates["haiyang_1"], kinds=(), open_it=False)
    with pytest.raises(InvalidInput, match="第九百四十六条"):
        services.matter_add(user=county_user, vote_id=vote.pk, kind=MatterKind.DISMISS, title="解聘",
                            handover_deadline=timezone.localdate() + timedelta(days=30))


def test_dismissal_closed_by_the_community_waits_for_the_county(open_vote, community_user, county_user, estates):
    vote_all(community_user, open_vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes", "1-202": "yes"})
    services.vote_close(user=community_user, vote_id=open_vote.pk)
    matter = open_vote.matters.get()
    assert matter.passed and matter.exit_record is None and "县专班" in matter.outcome
    assert Notification.objects.filter(user=county_user, title__contains="解聘").exists()
    record = services.matter_exit_register(user=county_user, matter_id=matter.pk)
    assert record.handover_deadline == timezone.localdate() + timedelta(days=60)


def test_an_exit_in_progress_is_filled_with_the_decision(register, estates, county_user):
    from enterprises.services import exit_open

    estate = estates["haiyang_1"]
    today = timezone.localdate()
    current = exit_open(user=county_user, estate_id=estate.pk, reason="contract_ended", decision="合同期满",
                        decision_date=today, notice_date=today, handover_deadline=today + timedelta(days=10),
                        new_manager_name="业委会")
    vote = make_vote(user=county_user, estate=estate)
    vote_all(county_user, vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes"})
    type(vote).objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    services.vote_close(user=county_user, vote_id=vote.pk)
    current.refresh_from_db()
    assert current.reason == ExitReason.DISMISSED and "业主共同决定" in current.decision
    assert current.handover_deadline == today + timedelta(days=60)
    assert ExitRecord.objects.filter(estate=estate).count() == 1


def test_no_quorum_fails_and_is_recorded(open_vote, community_user):
    # 2 of 4 units (half the area): under two thirds
    vote_all(community_user, open_vote, {"1-101": "yes", "1-102": "yes"})
    type(open_vote).objects.filter(pk=open_vote.pk).update(closes_at=timezone.now())
    services.vote_close(user=community_user, vote_id=open_vote.pk)
    matter = open_vote.matters.get()
    assert matter.passed is False and matter.exit_record is None
    assert "未通过" in matter.outcome
    assert not ExitRecord.objects.exists()
    assert VoteEvent.objects.filter(vote=open_vote, kind="decision_applied", data__passed=False).exists()


def test_exactly_half_of_participants_fails_a_dismissal(open_vote, community_user):
    vote_all(community_user, open_vote, {"1-101": "yes", "1-102": "yes", "1-201": "no", "1-202": "no"})
    services.vote_close(user=community_user, vote_id=open_vote.pk)
    assert open_vote.matters.get().passed is False


def test_passed_renewal_extends_the_contract(register, estates, community_user):
    estate = estates["haiyang_1"]
    vote = make_vote(user=community_user, estate=estate, kinds=(MatterKind.RENEW,))
    vote_all(community_user, vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes", "1-202": "abstain"})
    services.vote_close(user=community_user, vote_id=vote.pk)
    estate.refresh_from_db()
    matter = vote.matters.get()
    assert matter.passed and estate.contract_end == matter.renew_until


def test_the_hash_covers_the_ballots(open_vote, community_user):
    vote_all(community_user, open_vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes"})
    unit = open_vote.estate.owner_units.get(unit="1-202")
    services.ballot_enter_paper(user=community_user, vote_id=open_vote.pk, unit_id=unit.pk,
                                choices=all_choices(open_vote, "no"), photo=png())
    vote = services.vote_close(user=community_user, vote_id=open_vote.pk)
    assert len(vote.result_hash) == 64 and vote.result_hash == services.ballots_digest(vote)
    choice = vote.ballots.get(unit=unit).choices.get()
    choice.choice = "yes"
    choice.save()
    assert services.ballots_digest(vote) != vote.result_hash


def test_register_is_frozen_while_a_vote_is_open(open_vote, community_user):
    with pytest.raises(InvalidState, match="表决结束前"):
        services.owner_unit_record(user=community_user, estate_id=open_vote.estate_id, unit="9-901",
                                   owner_names="王五", area=Decimal("90"))


def test_the_deadline_closes_the_vote_without_anyone_and_asks_the_county_to_register_the_exit(
        register, estates, community_user, county_user, client):
    """votes_close_due (every 15 minutes): a vote past its deadline is counted as staff would count
    it; a passed dismissal notifies who registers exits; the log says the system closed it."""
    vote = make_vote(user=community_user, estate=estates["haiyang_1"], new_manager_name="业主委员会")
    services.owner_unit_record(user=county_user, estate_id=estates["haiyang_2"].pk, unit="2-101", owner_names="王五",
                               area=Decimal("90.00"))
    still_open = make_vote(user=county_user, estate=estates["haiyang_2"])  # its deadline is a week away
    vote_all(community_user, vote, {"1-101": "yes", "1-102": "yes", "1-201": "yes"})
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert services.votes_close_due() == 1
    assert services.votes_close_due() == 0  # a second run finds nothing
    vote.refresh_from_db()
    still_open.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED and vote.result_hash and still_open.status == VoteStatus.OPEN
    assert vote.matters.get().passed is True  # 3 of 4 units and areas: quorum and majority
    closed = VoteEvent.objects.get(vote=vote, kind="closed")
    assert closed.actor is None and "自动结束" in closed.note
    assert Notification.objects.filter(user=county_user, title__contains="请登记退出").exists()
    client.force_login(community_user)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert "系统 · 结束投票并计票" in page
