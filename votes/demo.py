"""Demo owners' decisions for `seed_demo`, in 秀阳社区 (the demo community's): two estates with an
owners register each; at one a closed vote (a renewal that passed and a use of the maintenance
fund that did not reach its majority), at the other an open vote on dismissing the enterprise
with part of the owners having voted, one of them on paper. Where the estate has a current owners'
committee whose term covers the vote, the committee convened it (组织方); the other vote is the
community's."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities.models import Estate
from subjects.models import OwnersCommittee

from . import services
from .models import Ballot, BallotCode, OwnerRegisterEvent, OwnerUnit, Vote, VoteEvent, VoteEventKind
from .rules import MatterKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "玉兰", "志强", "桂芳", "德胜", "丽华", "海涛", "春梅", "国平", "淑珍", "文彬"]
#: a 1×1 PNG standing in for the photo of a paper ballot
PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdacd\xf8\xcfP\x0f\x00\x03\x86\x01\x80Z4}k\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _register(*, user, estate, rng, units: int):
    for index in range(units):
        building, floor, door = index // 8 + 1, index % 8 // 2 + 1, index % 2 + 1
        names = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
        if rng.random() < 0.3:  # co-owners: one unit, one vote
            names += f"、{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
        services.owner_unit_record(
            user=user, estate_id=estate.pk, unit=f"{building}栋{floor}0{door}", owner_names=names,
            area=Decimal(rng.randrange(6000, 14000)) / 100, phone=f"139{rng.randrange(10**7, 10**8)}",
        )


def _vote_by_codes(vote, codes, choices_for):
    matters = list(vote.matters.all())
    for issued in codes:
        choice = choices_for(issued.unit)
        if choice:
            services.ballot_cast(code=issued.code, choices={str(m.pk): choice(m) for m in matters})


BALLOT_KINDS = {VoteEventKind.BALLOT_CAST, VoteEventKind.BALLOT_CHANGED, VoteEventKind.PAPER_ENTERED}


def _backdate(vote, *, created, opened, closed=None):
    """Moves a vote run just now back to the days it would have taken, in the same order: made
    and given its matters at `created`, opened and its codes issued at `opened`, its ballots cast
    one after another until `closed` (or until now), counted and its decisions applied at
    `closed`. Every row of the vote and its log then tells one story."""
    end = closed or timezone.now()
    ballots = list(Ballot.objects.filter(vote=vote).order_by("pk"))
    cast = {}
    for index, ballot in enumerate(ballots, start=1):
        cast[ballot.unit_id] = at = opened + (end - opened) * index / (len(ballots) + 1)
        Ballot.objects.filter(pk=ballot.pk).update(cast_at=at, updated_at=at)
    changes = {"created_at": created, "opened_at": opened}
    if closed is not None:
        changes.update(closes_at=closed, closed_at=closed)
    Vote.objects.filter(pk=vote.pk).update(**changes)
    BallotCode.objects.filter(vote=vote).update(issued_at=opened)
    phase = {VoteEventKind.CREATED: created, VoteEventKind.MATTER_ADDED: created, VoteEventKind.OPENED: opened,
             VoteEventKind.CODES_ISSUED: opened, VoteEventKind.CLOSED: closed, VoteEventKind.DECISION_APPLIED: closed}
    for order, event in enumerate(VoteEvent.objects.filter(vote=vote).order_by("pk")):
        at = cast.get(event.data.get("unit_id")) if event.kind in BALLOT_KINDS else phase.get(event.kind)
        if at is not None:  # seconds apart, so the log keeps its order
            VoteEvent.objects.filter(pk=event.pk).update(at=at + timedelta(seconds=order))


def _committee_id(estate, *, since) -> int | None:
    """The estate's current committee if its term runs from `since` (the vote's first day) to
    today, so that the vote falls within it; else None (the community convenes)."""
    committee = (OwnersCommittee.objects.current()
                 .filter(estate=estate, term_start__lte=since, term_end__gte=timezone.localdate()).first())
    return committee.pk if committee else None


def seed(context: dict) -> None:
    rng = context["rng"]
    community_user = context["users"]["demo-community"]
    estates = list(
        Estate.objects.filter(community__path__startswith=community_user.region.path, enterprise__isnull=False)
        .order_by("pk")[:2]
    )
    if len(estates) < 2:
        return
    closed_at, open_estate = estates[0], estates[1]
    today = timezone.localdate()
    for estate in estates:
        _register(user=community_user, estate=estate, rng=rng, units=24)
    # one of the two votes convened by its estate's committee (the open one by preference), if any fits
    open_committee = _committee_id(open_estate, since=today)
    closed_committee = None if open_committee else _committee_id(closed_at, since=today - timedelta(days=24))

    # a closed vote, counted ten days ago: renewal passed, the fund's use failed (not enough "yes")
    vote = services.vote_create(user=community_user, estate_id=closed_at.pk, title=f"{closed_at.name}{today.year}年业主大会表决",
                                closes_at=timezone.now() + timedelta(days=1), committee_id=closed_committee)
    services.matter_add(user=community_user, vote_id=vote.pk, kind=MatterKind.RENEW,
                        title=f"是否续聘{closed_at.enterprise.name}（合同续期三年）",
                        renew_until=max(closed_at.contract_end or today, today) + timedelta(days=3 * 365))
    services.matter_add(user=community_user, vote_id=vote.pk, kind=MatterKind.FUND_USE,
                        title="是否使用专项维修资金更换 2 栋电梯")
    services.vote_open(user=community_user, vote_id=vote.pk)
    codes = services.ballot_codes_issue(user=community_user, vote_id=vote.pk)
    _vote_by_codes(vote, codes[:19], lambda unit: (
        lambda m: "yes" if m.kind == MatterKind.RENEW or unit.pk % 3 == 0 else rng.choice(["no", "abstain"])))
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    services.vote_close(user=community_user, vote_id=vote.pk)
    now = timezone.now()
    _backdate(vote, created=now - timedelta(days=26), opened=now - timedelta(days=24), closed=now - timedelta(days=10))

    # an open vote on dismissing the enterprise, closing in a week; ten units voted, one on paper
    vote = services.vote_create(user=community_user, estate_id=open_estate.pk,
                                title=f"{open_estate.name}关于解聘物业服务企业的业主共同决定",
                                closes_at=timezone.now() + timedelta(days=7), committee_id=open_committee)
    services.matter_add(user=community_user, vote_id=vote.pk, kind=MatterKind.DISMISS,
                        title=f"是否解聘{open_estate.enterprise.name}", new_manager_name="业主委员会",
                        handover_deadline=today + timedelta(days=7 + 60))
    services.vote_open(user=community_user, vote_id=vote.pk)
    codes = services.ballot_codes_issue(user=community_user, vote_id=vote.pk)
    _vote_by_codes(vote, codes[:9], lambda unit: (lambda m: rng.choice(["yes", "yes", "no"])))
    matter = vote.matters.get()
    services.ballot_enter_paper(user=community_user, vote_id=vote.pk, unit_id=codes[9].unit.pk,
                                choices={str(matter.pk): "yes"},
                                photo=SimpleUploadedFile("纸质表决票.png", PHOTO, content_type="image/png"))
    now = timezone.now()
    _backdate(vote, created=now - timedelta(days=3), opened=now - timedelta(days=2))
    # the registers were drawn up before either vote
    registered = now - timedelta(days=30)
    OwnerUnit.objects.filter(estate__in=estates).update(created_at=registered, updated_at=registered)
    OwnerRegisterEvent.objects.filter(estate__in=estates).update(at=registered)
