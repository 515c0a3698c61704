"""Writes of owners' decisions: the register, a vote and its matters, ballots, the count at close
and what a passed decision sets going (the exit of a dismissed enterprise, a renewed contract).

Every function is keyword-only, runs in one transaction, checks capability and scope, writes its
event, and raises a core.errors.DomainError with a Chinese message on refusal."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import can, require, roles_with
from accounts.regions import users_over
from communities.models import Estate
from communities.services import estate_contract_renew
from core import sms
from core.audit import audited
from core.crypto import keyed_hash
from core.errors import Conflict, InvalidInput, InvalidState, MissingField, NotFound
from core.files import validate_upload
from core.notifications import notification_send
from enterprises.models import Enterprise, ExitReason, ExitRecord, ExitStatus
from enterprises.services import exit_decision_fill, exit_open
from subjects.models import OwnersCommittee

from . import privacy
from .models import (
    Ballot,
    BallotChannel,
    BallotChoice,
    BallotCode,
    Choice,
    Matter,
    OwnerRegisterEvent,
    OwnerUnit,
    Vote,
    VoteEvent,
    VoteEventKind,
    VoteStatus,
)
from .rules import MAJORITY_BY_KIND, MatterKind, MatterTally
from .selectors import turnout

#: 第九百四十六条: written notice of a dismissal 60 days ahead, unless the contract says otherwise
DISMISSAL_NOTICE_DAYS = 60
#: the code alphabet: no 0/O, 1/I/L, so that a code read off paper is typed right
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_PURPOSE = "votes.code"
MAX_MATTERS = 20


def _event(*, vote: Vote, kind: str, actor=None, note: str = "", from_state: str = "", to_state: str = "",
           **data) -> VoteEvent:
    return VoteEvent.objects.create(
        vote=vote, kind=kind, actor=actor if actor is not None and actor.is_authenticated else None,
        note=note, from_state=from_state, to_state=to_state, data=data,
    )


def _estate(*, user, estate_id: int, lock: bool = False) -> Estate:
    rows = Estate.objects.visible_to(user)
    if lock:
        rows = rows.select_for_update(of=("self",))
    estate = rows.filter(pk=estate_id).first()
    if estate is None:
        raise NotFound("小区不存在或不在您的管辖范围内。")
    return estate


def _vote(*, user, vote_id: int) -> Vote:
    """The vote locked for this transaction, within the user's scope."""
    vote = Vote.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=vote_id).first()
    if vote is None:
        raise NotFound("表决不存在或不在您的管辖范围内。")
    return vote


# ---------------------------------------------------------------------------------------------
# The owners register (业主名册)


@audited("votes.OwnerRegisterEvent")
def owner_unit_record(*, user, estate_id: int, unit: str, owner_names: str, area: Decimal, phone: str = "") -> OwnerUnit:
    """Adds a unit to the estate's register, or updates the unit of that number. Co-owners are one
    unit (names joined by "、"). Refused while a vote of the estate is open: the totals the quorum
    is measured against are those of the day it opened."""
    require(user, "owners.manage", "登记业主名册")
    unit = str(unit or "").strip()
    names = privacy.NAME_SEPARATOR.join(
        n.strip() for n in str(owner_names or "").replace(",", "、").replace("，", "、").split("、") if n.strip()
    )
    if not unit:
        raise MissingField("请填写房号。")
    if len(unit) > 60:
        raise InvalidInput("房号过长（最多 60 字）。")
    if not names:
        raise MissingField("请填写业主姓名。")
    if len(names) > 200:
        raise InvalidInput("业主姓名过长（最多 200 字）。")
    if not isinstance(area, Decimal) or not area.is_finite() or area <= 0 or area >= Decimal("100000000"):
        raise InvalidInput("专有部分面积须为大于 0 的数字（㎡）。")
    area = area.quantize(Decimal("0.01"))
    phone = str(phone or "").strip()
    if len(phone) > 20:
        raise InvalidInput("联系电话过长。")
    with transaction.atomic():
        estate = _estate(user=user, estate_id=estate_id, lock=True)
        if Vote.objects.filter(estate=estate, status=VoteStatus.OPEN).exists():
            raise InvalidState("本小区有正在进行的表决，表决结束前不能修改业主名册。")
        row, created = OwnerUnit.objects.update_or_create(
            estate=estate, unit=unit,
            defaults={"owner_names_encrypted": privacy.owner_encrypt(names), "area": area,
                      "phone_encrypted": privacy.owner_encrypt(phone)},
        )
        OwnerRegisterEvent.objects.create(estate=estate, actor=user, kind="added" if created else "changed",
                                          data={"unit_id": row.pk, "unit": unit})
    return row


# ---------------------------------------------------------------------------------------------
# A vote and its matters


@audited("votes.VoteEvent")
def vote_create(*, user, estate_id: int, title: str, closes_at: datetime, committee_id: int | None = None) -> Vote:
    """A vote in preparation, recorded by `user` (the organiser). `committee_id`: the estate's
    current owners' committee convened it (组织方), refused if the committee is another estate's,
    replaced at 换届, or past its term; None: the community / street convened it. The creation's
    event names the convening body."""
    require(user, "vote.manage", "组织业主表决")
    title = str(title or "").strip()
    if not title:
        raise MissingField("请填写表决名称。")
    if len(title) > 200:
        raise InvalidInput("表决名称过长（最多 200 字）。")
    if closes_at is None or closes_at <= timezone.now():
        raise InvalidInput("投票截止时间须晚于现在。")
    with transaction.atomic():
        estate = _estate(user=user, estate_id=estate_id)
        committee = _convening_committee(estate=estate, committee_id=committee_id) if committee_id is not None else None
        vote = Vote.objects.create(estate=estate, title=title, organiser=user, enterprise_id=estate.enterprise_id,
                                   closes_at=closes_at, committee=committee)
        _event(vote=vote, kind=VoteEventKind.CREATED, actor=user, to_state=VoteStatus.DRAFT,
               note=f"组织方：{vote.convened_by}", committee_id=vote.committee_id)
    return vote


def _convening_committee(*, estate: Estate, committee_id: int) -> OwnersCommittee:
    """The committee that may convene a vote of `estate`: its current one, within its term. Locked
    for the transaction, so that a 换届 (which clears is_current) waits for the vote to be saved."""
    committee = (
        OwnersCommittee.objects.select_for_update(of=("self",)).filter(pk=committee_id, estate=estate).first()
    )
    # another estate's committee, one outside the user's scope and an unknown id read the same
    if committee is None:
        raise InvalidInput(f"所选业委会（物管会）不是{estate.name}的，不能作为本次表决的组织方。")
    if not committee.is_current:
        raise InvalidInput(f"所选业委会（物管会）已换届，不是{estate.name}的现任业委会（物管会），不能作为组织方。")
    if committee.term_end is not None and committee.term_end < timezone.localdate():
        raise InvalidInput(
            f"{estate.name}{committee.get_kind_display()}任期已于 {committee.term_end:%Y-%m-%d} 届满，"
            "不能作为组织方；请先完成换届，或由社区/街道组织表决。"
        )
    return committee


@audited("votes.VoteEvent")
def matter_add(*, user, vote_id: int, kind: str, title: str, new_enterprise_id: int | None = None,
               new_manager_name: str = "", handover_deadline: date | None = None,
               notice_days: int = DISMISSAL_NOTICE_DAYS, renew_until: date | None = None) -> Matter:
    """Adds a matter to a vote in preparation; its majority follows from its kind (第二百七十八条).
    A dismissal's proposed handover date must leave the notice period of 第九百四十六条 after the
    vote's close; a renewal needs the new contract end."""
    require(user, "vote.manage", "组织业主表决")
    if kind not in MatterKind.values:
        raise InvalidInput("请选择表决事项类型。")
    title = str(title or "").strip() or MatterKind(kind).label
    if len(title) > 300:
        raise InvalidInput("表决事项过长（最多 300 字）。")
    new_manager_name = str(new_manager_name or "").strip()[:100]
    if not 0 <= int(notice_days) <= 365:
        raise InvalidInput("解聘提前通知天数须在 0–365 天之间。")
    with transaction.atomic():
        vote = _vote(user=user, vote_id=vote_id)
        if vote.status != VoteStatus.DRAFT:
            raise InvalidState("表决已开始，不能再添加表决事项。")
        if vote.matters.count() >= MAX_MATTERS:
            raise InvalidInput(f"一次表决最多 {MAX_MATTERS} 项事项。")
        if kind in (MatterKind.DISMISS, MatterKind.RENEW) and not vote.enterprise_id:
            raise InvalidState("该小区没有在服务的物业服务企业，不能表决解聘或续聘。")
        if kind in (MatterKind.DISMISS, MatterKind.RENEW) and vote.matters.filter(kind=kind).exists():
            raise Conflict("同一次表决中已有该类事项。")
        new_enterprise = None
        if new_enterprise_id:
            new_enterprise = Enterprise.objects.filter(pk=new_enterprise_id).first()
            if new_enterprise is None or new_enterprise.pk == vote.enterprise_id:
                raise InvalidInput("拟选聘的物业服务企业无效（不能是在服务的企业）。")
        if kind == MatterKind.HIRE and new_enterprise is None:
            raise MissingField("请选择拟选聘的物业服务企业。")
        if kind == MatterKind.DISMISS and handover_deadline is not None:
            earliest = timezone.localtime(vote.closes_at).date() + timedelta(days=int(notice_days))
            if handover_deadline < earliest:
                raise InvalidInput(
                    f"依照民法典第九百四十六条，解聘应当提前{notice_days}日书面通知：拟定退出移交日期"
                    f"不能早于 {earliest:%Y-%m-%d}（投票截止后 {notice_days} 日）。"
                )
        if kind == MatterKind.RENEW:
            if renew_until is None:
                raise MissingField("请填写续聘后的合同期限。")
            current = vote.estate.contract_end
            if current and renew_until <= current:
                raise InvalidInput(f"续聘后的合同期限须晚于原合同结束日期（{current:%Y-%m-%d}）。")
        position = (vote.matters.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        matter = Matter.objects.create(
            vote=vote, position=position, kind=kind, title=title, majority=MAJORITY_BY_KIND[MatterKind(kind)],
            new_enterprise=new_enterprise, new_manager_name=new_manager_name, notice_days=int(notice_days),
            handover_deadline=handover_deadline if kind == MatterKind.DISMISS else None,
            renew_until=renew_until if kind == MatterKind.RENEW else None,
        )
        _event(vote=vote, kind=VoteEventKind.MATTER_ADDED, actor=user, note=title, matter_id=matter.pk, matter_kind=kind)
    return matter


@audited("votes.VoteEvent")
def vote_open(*, user, vote_id: int) -> Vote:
    """Starts the vote: the register's totals (area and owners) are frozen as the quorum's base."""
    require(user, "vote.manage", "组织业主表决")
    with transaction.atomic():
        vote = _vote(user=user, vote_id=vote_id)
        if vote.status != VoteStatus.DRAFT:
            raise InvalidState("表决已开始或已结束。")
        if not vote.matters.exists():
            raise InvalidState("请先添加表决事项。")
        if vote.closes_at <= timezone.now():
            raise InvalidState("投票截止时间已过，请重新创建表决。")
        if Vote.objects.filter(estate_id=vote.estate_id, status=VoteStatus.OPEN).exists():
            raise Conflict("本小区已有正在进行的表决。")
        totals = OwnerUnit.objects.filter(estate_id=vote.estate_id).aggregate(area=Sum("area"), owners=Count("id"))
        if not totals["owners"]:
            raise InvalidState("本小区尚未登记业主名册，不能开始表决。")
        vote.total_area, vote.total_owners = totals["area"], totals["owners"]
        vote.status, vote.opened_at = VoteStatus.OPEN, timezone.now()
        vote.save(update_fields=["total_area", "total_owners", "status", "opened_at"])
        _event(vote=vote, kind=VoteEventKind.OPENED, actor=user, from_state=VoteStatus.DRAFT, to_state=VoteStatus.OPEN,
               total_area=str(vote.total_area), total_owners=vote.total_owners)
    return vote


# ---------------------------------------------------------------------------------------------
# One-time codes


def code_normalise(raw: str) -> str:
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())[:CODE_LENGTH * 2]


def code_hash(code: str) -> str:
    return keyed_hash(code_normalise(code), purpose=CODE_PURPOSE)


def code_format(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


@dataclass(frozen=True)
class IssuedCode:
    unit: OwnerUnit
    code: str  # formatted, shown once on the printed notice
    texted: bool = False  # also sent by SMS to the unit's registered mobile


def _code_text(vote: Vote, unit: OwnerUnit, code: str) -> str:
    signature = f"【{settings.SMS_SIGNATURE}】" if getattr(settings, "SMS_SIGNATURE", "") else ""
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    where = f"{base}{reverse('votes:ballot-start')}" if base else "业主投票页面"
    return (f"{signature}{vote.estate.name}业主表决“{vote.title}”截止 {timezone.localtime(vote.closes_at):%Y-%m-%d %H:%M}。"
            f"{unit.unit} 户投票码 {code}，请在{where}输入投票码投票，截止前可修改。投票码仅限本户使用，请勿转告他人。")


@audited("votes.VoteEvent")
def ballot_codes_issue(*, user, vote_id: int, unit_ids: list[int] | None = None, by_sms: bool = False) -> list[IssuedCode]:
    """New one-time codes for the units given (a lost notice: the old code stops working), or for
    every unit that has none yet. The codes are returned once, for printing; only their keyed
    hashes are kept. `by_sms`: each unit with a registered mobile is also texted its code through
    core.sms once the transaction commits (the message's key names the code's hash, so a reissued
    code is a new message and a retried one is not sent twice)."""
    require(user, "vote.manage", "发放投票码")
    with transaction.atomic():
        vote = _vote(user=user, vote_id=vote_id)
        if vote.status == VoteStatus.CLOSED:
            raise InvalidState("表决已结束。")
        units = OwnerUnit.objects.filter(estate_id=vote.estate_id).order_by("unit")
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
            BallotCode.objects.filter(vote=vote, unit__in=units).delete()
        else:
            units = units.exclude(pk__in=BallotCode.objects.filter(vote=vote).values("unit_id"))
        issued, rows = [], []
        for unit in units:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            digest = code_hash(code)
            rows.append(BallotCode(vote=vote, unit=unit, code_hash=digest))
            texted = False
            if by_sms and unit.phone_encrypted:
                phone = privacy.owner_decrypt(unit.phone_encrypted)
                texted = sms.sms_queue(key=f"vote-code:{vote.pk}:{unit.pk}:{digest[:16]}", kind="vote_code",
                                       text=_code_text(vote, unit, code_format(code)), phone=phone) is not None
            issued.append(IssuedCode(unit=unit, code=code_format(code), texted=texted))
        BallotCode.objects.bulk_create(rows)
        texted = sum(i.texted for i in issued)
        _event(vote=vote, kind=VoteEventKind.CODES_ISSUED, actor=user,
               note=f"发放 {len(rows)} 户投票码" + (f"，其中 {texted} 户以短信发送" if by_sms else ""),
               units=[i.unit.pk for i in issued], texted=texted)
    return issued


def ballot_code_find(*, code: str = "", digest: str = "") -> BallotCode | None:
    """The row of a code (or of its keyed hash, which the owner's session keeps instead of the
    code), if it is a code of a vote that has not closed."""
    if not digest:
        if len(code_normalise(code)) != CODE_LENGTH:
            return None
        digest = code_hash(code)
    return (
        BallotCode.objects.select_related("vote__estate", "unit")
        .filter(code_hash=digest).exclude(vote__status=VoteStatus.CLOSED).first()
    )


# ---------------------------------------------------------------------------------------------
# Ballots


def _choices_clean(vote: Vote, choices: dict) -> dict[int, str]:
    """Every matter of the vote answered with 同意 / 反对 / 弃权, nothing else."""
    matter_ids = set(vote.matters.values_list("pk", flat=True))
    clean = {}
    for key, value in (choices or {}).items():
        try:
            matter_id = int(key)
        except (TypeError, ValueError):
            raise InvalidInput("表决事项无效。") from None
        if matter_id not in matter_ids:
            raise InvalidInput("表决事项无效。")
        if value not in Choice.values:
            raise InvalidInput("请在“同意”“反对”“弃权”中选择一项。")
        clean[matter_id] = value
    if set(clean) != matter_ids:
        raise MissingField("请对每一项表决事项选择“同意”“反对”或“弃权”。")
    return clean


def _ballot_write(*, vote: Vote, unit: OwnerUnit, channel: str, choices: dict[int, str], actor=None,
                  photo=None) -> Ballot:
    existing = Ballot.objects.select_for_update().filter(vote=vote, unit=unit).first()
    if existing is not None and (existing.channel != channel or channel == BallotChannel.PAPER):
        how = existing.get_channel_display()
        raise Conflict(f"{unit.unit} 已通过{how}投票，每户只计一票，不能重复投票。")
    if existing is None:
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(vote=vote, unit=unit, channel=channel, area=unit.area, entered_by=actor,
                                               photo=photo or "", photo_name=getattr(photo, "name", "") or "")
        except IntegrityError:
            raise Conflict(f"{unit.unit} 已投票，每户只计一票。") from None
        BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, matter_id=m, choice=c) for m, c in choices.items())
        kind = VoteEventKind.PAPER_ENTERED if channel == BallotChannel.PAPER else VoteEventKind.BALLOT_CAST
    else:
        ballot = existing
        for row in BallotChoice.objects.filter(ballot=ballot):
            if row.choice != choices[row.matter_id]:
                row.choice = choices[row.matter_id]
                row.save(update_fields=["choice"])
        ballot.changes += 1
        ballot.save(update_fields=["changes", "updated_at"])
        kind = VoteEventKind.BALLOT_CHANGED
    # the unit and the channel, never the choices: the log is read by staff while the vote is open
    _event(vote=vote, kind=kind, actor=actor, note=unit.unit, unit_id=unit.pk, channel=channel)
    return ballot


@audited("votes.VoteEvent")
def ballot_cast(*, choices: dict, code: str = "", digest: str = "") -> Ballot:
    """An owner's electronic ballot, by the unit's one-time code: the unit is the code's, never
    one named by the form. Cast again before the close, it replaces the unit's choices."""
    with transaction.atomic():
        found = ballot_code_find(code=code, digest=digest) if (code or digest) else None
        if found is None:
            raise NotFound("投票码无效或表决已结束，请核对纸质通知上的投票码。")
        vote = Vote.objects.select_for_update().get(pk=found.vote_id)
        if vote.status != VoteStatus.OPEN:
            raise InvalidState("表决尚未开始或已经结束。")
        if timezone.now() >= vote.closes_at:
            raise InvalidState("投票已截止。")
        return _ballot_write(vote=vote, unit=found.unit, channel=BallotChannel.ELECTRONIC,
                             choices=_choices_clean(vote, choices))


@audited("votes.VoteEvent")
def ballot_enter_paper(*, user, vote_id: int, unit_id: int, choices: dict, photo) -> Ballot:
    """A paper ballot entered by staff with its photo. A unit that voted (either way) is refused."""
    require(user, "vote.enter_paper", "录入纸质表决票")
    if not photo:
        raise MissingField("请上传纸质表决票的照片。")
    checked = validate_upload(photo)
    if not checked.content_type.startswith("image/"):
        raise InvalidInput("纸质表决票须上传照片（JPG、PNG 等图片）。")
    with transaction.atomic():
        vote = _vote(user=user, vote_id=vote_id)
        if vote.status != VoteStatus.OPEN:
            raise InvalidState("表决尚未开始或已经结束。")
        unit = OwnerUnit.objects.filter(pk=unit_id, estate_id=vote.estate_id).first()
        if unit is None:
            raise NotFound("该房号不在本小区业主名册中。")
        return _ballot_write(vote=vote, unit=unit, channel=BallotChannel.PAPER, choices=_choices_clean(vote, choices),
                             actor=user, photo=checked)


# ---------------------------------------------------------------------------------------------
# Close: count, freeze, decide


def ballots_digest(vote: Vote) -> str:
    """SHA-256 over every ballot of the vote in a canonical form (unit, area, channel, choices),
    in unit order: anyone holding the ballots recomputes it."""
    digest = hashlib.sha256()
    ballots = Ballot.objects.filter(vote=vote).select_related("unit").prefetch_related("choices").order_by("unit_id")
    for ballot in ballots:
        line = [ballot.unit_id, ballot.unit.unit, str(ballot.area), ballot.channel,
                sorted([c.matter_id, c.choice] for c in ballot.choices.all())]
        digest.update(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return digest.hexdigest()


@audited("votes.VoteEvent")
def vote_close(*, user, vote_id: int) -> Vote:
    """Counts the ballots, records each matter's figures and whether it passed (quorum and
    majority of 第二百七十八条), freezes them with the ballots' SHA-256, and applies what passed.
    Allowed once the deadline passed, or earlier when every unit has voted."""
    require(user, "vote.manage", "结束表决")
    with transaction.atomic():
        vote = _vote(user=user, vote_id=vote_id)
        if vote.status != VoteStatus.OPEN:
            raise InvalidState("只能结束正在进行的表决。")
        voted = turnout(vote)
        if timezone.now() < vote.closes_at and voted["owners"] < vote.total_owners:
            raise InvalidState(f"投票截止时间（{timezone.localtime(vote.closes_at):%Y-%m-%d %H:%M}）未到，且仍有业主未投票。")
        _count_and_close(vote=vote, voted=voted, user=user)
    return vote


@audited("votes.VoteEvent")
def votes_close_due() -> int:
    """The beat's: closes and counts every open vote whose deadline has passed (nobody has to
    remember to), as the system — a passed dismissal then asks the county to register the exit,
    as when a committee member closes it. Returns how many it closed."""
    closed = 0
    for pk in list(Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=timezone.now()).values_list("pk", flat=True)):
        with transaction.atomic():
            vote = (Vote.objects.select_for_update(of=("self",)).select_related("estate__community")
                    .filter(pk=pk, status=VoteStatus.OPEN).first())
            if vote is None:  # closed by staff meanwhile
                continue
            _count_and_close(vote=vote, voted=turnout(vote), user=None)
            closed += 1
    return closed


def _count_and_close(*, vote: Vote, voted: dict, user) -> None:
    """vote_close's count, freeze and decisions (`user` None: the deadline closed it)."""
    counts = {
        (r["matter_id"], r["choice"]): (r["area"], r["owners"])
        for r in BallotChoice.objects.filter(ballot__vote=vote).values("matter_id", "choice")
        .annotate(area=Sum("ballot__area"), owners=Count("id"))
    }
    matters = list(vote.matters.all())
    zero = (Decimal("0.00"), 0)
    for matter in matters:
        (matter.yes_area, matter.yes_owners) = counts.get((matter.pk, Choice.YES), zero)
        (matter.no_area, matter.no_owners) = counts.get((matter.pk, Choice.NO), zero)
        (matter.abstain_area, matter.abstain_owners) = counts.get((matter.pk, Choice.ABSTAIN), zero)
        matter.passed = matter_tally(vote, matter, voted).passed
        matter.save(update_fields=["yes_area", "yes_owners", "no_area", "no_owners", "abstain_area",
                                   "abstain_owners", "passed"])
    vote.result_hash = ballots_digest(vote)
    vote.status, vote.closed_at = VoteStatus.CLOSED, timezone.now()
    vote.save(update_fields=["result_hash", "status", "closed_at"])
    _event(vote=vote, kind=VoteEventKind.CLOSED, actor=user, from_state=VoteStatus.OPEN, to_state=VoteStatus.CLOSED,
           note="" if user is not None else "投票截止时间已到，系统自动结束投票并计票",
           result_hash=vote.result_hash, voted_area=str(voted["area"]), voted_owners=voted["owners"],
           passed=[m.pk for m in matters if m.passed])
    for matter in matters:
        _decision_apply(user=user, vote=vote, matter=matter)


def matter_tally(vote: Vote, matter: Matter, voted: dict) -> MatterTally:
    return MatterTally(
        total_area=vote.total_area, total_owners=vote.total_owners, voted_area=voted["area"],
        voted_owners=voted["owners"], yes_area=matter.yes_area or Decimal("0.00"), yes_owners=matter.yes_owners or 0,
        majority=matter.majority,
    )


def decision_text(vote: Vote, matter: Matter) -> str:
    voted = turnout(vote)
    result = "通过" if matter.passed else "未通过"
    return (
        f"业主共同决定（{vote.title}，表决事项：{matter.title}）于 {timezone.localtime(vote.closed_at):%Y-%m-%d} 计票，"
        f"参与表决专有部分面积 {voted['area']}㎡/{vote.total_area}㎡（{voted['area_percent']}）、"
        f"人数 {voted['owners']}/{vote.total_owners}（{voted['owners_percent']}）；"
        f"同意面积 {matter.yes_area}㎡、同意人数 {matter.yes_owners}；{matter.get_majority_display()}，{result}。"
        f"表决票哈希 {vote.result_hash[:16]}…"
    )


def _decision_apply(*, user, vote: Vote, matter: Matter) -> None:
    """What a counted matter sets going: a passed dismissal → the exit record (by whoever may
    register exits; otherwise the county is told to), a passed renewal → the contract's new end;
    every matter's outcome, failed ones too, is kept on it and in the log."""
    if matter.kind == MatterKind.DISMISS and matter.passed:
        if can(user, "exit.manage"):
            matter_exit_register(user=user, matter_id=matter.pk)
            return
        matter.outcome = "决议通过，待县专班依据本决议登记退出与移交。"
        officers = users_over(vote.estate.community.path, roles=roles_with("exit.manage"))
        notification_send(users=officers, title=f"{vote.estate.name}业主决定解聘物业服务企业，请登记退出",
                          url=f"/votes/{vote.pk}/", body=decision_text(vote, matter))
    elif matter.kind == MatterKind.RENEW and matter.passed:
        estate_contract_renew(estate_id=vote.estate_id, contract_end=matter.renew_until)
        matter.outcome = f"决议通过，物业服务合同续期至 {matter.renew_until:%Y-%m-%d}。"
    elif matter.passed:
        matter.outcome = "决议通过。"
    else:
        matter.outcome = "未达到民法典第二百七十八条规定的参与表决或同意比例，决议未通过。"
    matter.save(update_fields=["outcome"])
    _event(vote=vote, kind=VoteEventKind.DECISION_APPLIED, actor=user, note=matter.outcome, matter_id=matter.pk,
           matter_kind=matter.kind, passed=bool(matter.passed))


@audited("votes.VoteEvent")
def matter_exit_register(*, user, matter_id: int) -> ExitRecord:
    """A passed dismissal becomes the estate's exit record: a new one, or the exit in progress
    filled with the decision. Decision date = the count; the enterprise is notified that day; the
    handover deadline is the proposed date, but never less than the notice period of
    第九百四十六条 (60 days unless the contract says otherwise) after the notice."""
    require(user, "exit.manage", "依据业主决定登记退出")
    with transaction.atomic():
        matter = (
            Matter.objects.select_for_update(of=("self",)).select_related("vote__estate")
            .filter(pk=matter_id, vote__in=Vote.objects.visible_to(user)).first()
        )
        if matter is None:
            raise NotFound("表决事项不存在或不在您的管辖范围内。")
        vote = matter.vote
        if matter.kind != MatterKind.DISMISS or vote.status != VoteStatus.CLOSED or not matter.passed:
            raise InvalidState("只有已通过的解聘决议才能登记退出。")
        if matter.exit_record_id:
            raise Conflict("该决议已登记退出记录。")
        decision_date = timezone.localtime(vote.closed_at).date()
        notice_date = decision_date
        earliest = notice_date + timedelta(days=matter.notice_days)
        deadline = max(matter.handover_deadline or earliest, earliest)
        text = decision_text(vote, matter)
        current = (
            ExitRecord.objects.visible_to(user)
            .filter(estate_id=vote.estate_id, status__in=[ExitStatus.IN_PROGRESS, ExitStatus.OVERDUE]).first()
        )
        if current is not None:
            record = exit_decision_fill(user=user, exit_id=current.pk, decision=text, decision_date=decision_date,
                                        notice_date=notice_date, handover_deadline=deadline)
        else:
            record = _exit_open_for_dismissal(user=user, vote=vote, matter=matter, decision=text,
                                              decision_date=decision_date, notice_date=notice_date, deadline=deadline)
        moved = matter.handover_deadline is not None and matter.handover_deadline < earliest
        matter.exit_record = record
        matter.outcome = (
            f"决议通过，已登记退出记录：{notice_date:%Y-%m-%d} 通知，移交期限 {deadline:%Y-%m-%d}"
            f"（民法典第九百四十六条：提前 {matter.notice_days} 日书面通知"
            f"{'，拟定移交日期早于通知期满，已顺延' if moved else ''}）。"
        )
        matter.save(update_fields=["exit_record", "outcome"])
        _event(vote=vote, kind=VoteEventKind.DECISION_APPLIED, actor=user, note=matter.outcome, matter_id=matter.pk,
               matter_kind=matter.kind, passed=True, exit_record_id=record.pk)
    return record


def _exit_open_for_dismissal(*, user, vote: Vote, matter: Matter, decision: str, decision_date: date,
                             notice_date: date, deadline: date) -> ExitRecord:
    """The one call of enterprises.services.exit_open. Who takes over: the enterprise of a passed
    hire in the same vote, else the one the dismissal names, else the owners' own manager."""
    hired = vote.matters.filter(kind=MatterKind.HIRE, passed=True).exclude(new_enterprise=None).first()
    new_enterprise = hired.new_enterprise if hired else matter.new_enterprise
    manager = matter.new_manager_name or ("" if new_enterprise else "业主委员会（待选聘新物业服务企业）")
    return exit_open(user=user, estate_id=vote.estate_id, reason=ExitReason.DISMISSED, decision=decision,
                     decision_date=decision_date, notice_date=notice_date, handover_deadline=deadline,
                     new_enterprise=new_enterprise, new_manager_name=manager)
