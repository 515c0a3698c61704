"""Owners' common decisions (业主共同决定, 民法典 第二百七十八条): the owners register of an estate,
a vote with its matters, the ballots (electronic with a one-time code per unit, or on paper
entered by staff with a photo), and the vote's event log.

One unit (专有部分) is one owner and one vote, whoever and however many its co-owners are."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.audit import Event
from core.files import private_file_field
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet

from .rules import Majority, MatterKind


class OwnerUnitQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = None  # the enterprise an owners' vote may dismiss never reads the register


class OwnerUnit(models.Model):
    """业主名册: one unit of an estate, its floor area and its owner(s), kept by the community."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT,
                               related_name="owner_units")
    unit = models.CharField("房号", max_length=60)
    owner_names_encrypted = models.TextField("业主姓名（加密）", editable=False)
    phone_encrypted = models.TextField("联系电话（加密）", blank=True, editable=False)
    area = models.DecimalField("专有部分面积（㎡）", max_digits=10, decimal_places=2)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OwnerUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "业主名册（户）"
        verbose_name_plural = "业主名册"
        ordering = ["estate", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "unit"], name="owner_unit_once_per_estate"),
            models.CheckConstraint(name="owner_unit_area_positive", condition=Q(area__gt=0),
                                   violation_error_message="专有部分面积须大于 0。"),
        ]

    def __str__(self):
        return self.unit


class VoteStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已结束"


#: 组织方 of a vote no owners' committee convened
CONVENED_BY_COMMUNITY = "社区/街道组织"


class VoteQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = None


class Vote(models.Model):
    """一次业主共同决定（业主大会表决）of an estate. The register's totals are frozen when the vote
    opens (the register cannot change while a vote is open); the result is frozen at close with
    a SHA-256 hash over the ballots."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT,
                               related_name="owner_votes")
    title = models.CharField("表决名称", max_length=200)
    # 组织方: the estate's owners' committee (业委会/物管会) that convened the vote, or empty when the
    # community / street convened it (社区/街道组织). Committees have no accounts: the organiser is
    # always the staff user who recorded the vote, on the committee's behalf when there is one.
    committee = models.ForeignKey("subjects.OwnersCommittee", verbose_name="组织方（业委会/物管会）",
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="votes")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组织人", on_delete=models.PROTECT,
                                  related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="在服务的物业服务企业",
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="owner_votes")
    status = models.CharField("状态", max_length=10, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    closes_at = models.DateTimeField("投票截止时间")
    opened_at = models.DateTimeField("开始投票时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    total_area = models.DecimalField("总专有部分面积（㎡）", max_digits=12, decimal_places=2, default=0)
    total_owners = models.PositiveIntegerField("业主总人数（户）", default=0)
    result_hash = models.CharField("表决票哈希（SHA-256）", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = "业主表决"
        verbose_name_plural = "业主表决"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def convened_by(self) -> str:
        """组织方 as pages, the API and the log name it (select_related("estate", "committee") on lists)."""
        if self.committee_id is None:
            return CONVENED_BY_COMMUNITY
        return f"{self.estate.name}{self.committee.get_kind_display()}"


class Matter(models.Model):
    """一项表决事项 and, once the vote closed, its result. The majority is taken from the kind when
    the matter is added and kept, so the rule it was asked under stays with it."""

    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="matters")
    position = models.PositiveSmallIntegerField("序号", default=1)
    kind = models.CharField("事项类型", max_length=20, choices=MatterKind.choices)
    title = models.CharField("表决事项", max_length=300)
    majority = models.CharField("通过条件", max_length=10, choices=Majority.choices)
    # hire / dismiss: who takes over (an enterprise, or a manager when the owners manage themselves)
    new_enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="拟选聘/接管的物业服务企业",
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_manager_name = models.CharField("其他管理人（自行管理时）", max_length=100, blank=True)
    # dismiss: 第九百四十六条 — 60 days' written notice unless the contract says otherwise
    notice_days = models.PositiveSmallIntegerField("解聘提前通知天数", default=60)
    handover_deadline = models.DateField("拟定退出移交日期", null=True, blank=True)
    # renew: the new end of the service contract (第九百四十七条)
    renew_until = models.DateField("续聘合同期限至", null=True, blank=True)
    # the result at close
    yes_area = models.DecimalField("同意面积", max_digits=12, decimal_places=2, null=True, blank=True)
    yes_owners = models.PositiveIntegerField("同意人数", null=True, blank=True)
    no_area = models.DecimalField("反对面积", max_digits=12, decimal_places=2, null=True, blank=True)
    no_owners = models.PositiveIntegerField("反对人数", null=True, blank=True)
    abstain_area = models.DecimalField("弃权面积", max_digits=12, decimal_places=2, null=True, blank=True)
    abstain_owners = models.PositiveIntegerField("弃权人数", null=True, blank=True)
    passed = models.BooleanField("是否通过", null=True, blank=True)
    outcome = models.TextField("执行情况", blank=True)
    exit_record = models.ForeignKey("enterprises.ExitRecord", verbose_name="退出记录", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="owner_decisions")

    class Meta:
        verbose_name = "表决事项"
        verbose_name_plural = "表决事项"
        ordering = ["vote", "position", "id"]

    def __str__(self):
        return self.title


class BallotChannel(models.TextChoices):
    ELECTRONIC = "electronic", "电子投票"
    PAPER = "paper", "纸质表决票"


class Choice(models.TextChoices):
    YES = "yes", "同意"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


class BallotCodeQuerySet(ScopedThroughQuerySet):
    scope_through = "vote"


class BallotCode(models.Model):
    """The one-time code of a unit for a vote (printed on the paper notice, or sent by SMS). Only
    its keyed hash is stored: staff cannot read a code back and vote in an owner's place."""

    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="codes")
    unit = models.ForeignKey(OwnerUnit, verbose_name="房号", on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField("投票码摘要", max_length=64, unique=True)
    issued_at = models.DateTimeField("发放时间", auto_now_add=True)

    objects = BallotCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "投票码"
        verbose_name_plural = "投票码"
        constraints = [models.UniqueConstraint(fields=["vote", "unit"], name="ballot_code_once_per_unit")]

    def __str__(self):
        return f"{self.vote_id} {self.unit_id}"


class BallotQuerySet(ScopedThroughQuerySet):
    scope_through = "vote"


class Ballot(models.Model):
    """表决票: one per unit and vote, whatever its channel (the unique constraint is the guarantee
    that a unit is never counted twice). Electronic ballots may be changed until the vote closes."""

    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.PROTECT, related_name="ballots")
    unit = models.ForeignKey(OwnerUnit, verbose_name="房号", on_delete=models.PROTECT, related_name="ballots")
    channel = models.CharField("方式", max_length=12, choices=BallotChannel.choices)
    area = models.DecimalField("专有部分面积（㎡）", max_digits=10, decimal_places=2)
    photo = private_file_field("纸质表决票照片", app="votes", blank=True)
    photo_name = models.CharField("照片文件名", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    cast_at = models.DateTimeField("投票时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    changes = models.PositiveIntegerField("修改次数", default=0)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = "表决票"
        verbose_name_plural = "表决票"
        ordering = ["vote", "unit__unit"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "unit"], name="ballot_one_per_unit"),
            models.CheckConstraint(name="ballot_paper_has_photo",
                                   condition=~Q(channel="paper") | ~Q(photo=""),
                                   violation_error_message="纸质表决票须上传照片。"),
        ]

    def __str__(self):
        return f"{self.vote_id} {self.unit_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, verbose_name="表决票", on_delete=models.CASCADE, related_name="choices")
    matter = models.ForeignKey(Matter, verbose_name="表决事项", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("意见", max_length=10, choices=Choice.choices)

    class Meta:
        verbose_name = "表决意见"
        verbose_name_plural = "表决意见"
        constraints = [models.UniqueConstraint(fields=["ballot", "matter"], name="ballot_choice_once_per_matter")]

    def __str__(self):
        return self.get_choice_display()


class VoteEventKind(models.TextChoices):
    CREATED = "created", "创建表决"
    MATTER_ADDED = "matter_added", "添加表决事项"
    OPENED = "opened", "开始投票"
    CODES_ISSUED = "codes_issued", "发放投票码"
    BALLOT_CAST = "ballot_cast", "提交表决票"
    BALLOT_CHANGED = "ballot_changed", "修改表决票"
    PAPER_ENTERED = "paper_entered", "录入纸质表决票"
    CLOSED = "closed", "结束投票并计票"
    DECISION_APPLIED = "decision_applied", "决定执行"


class VoteEventQuerySet(ScopedThroughQuerySet):
    scope_through = "vote"


class VoteEvent(Event):
    """The vote's log. A ballot's event names the unit and the channel, never the choices: staff
    must not learn how a unit voted before the vote closes (the hash at close covers the choices)."""

    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.PROTECT, related_name="events")

    objects = VoteEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = "表决日志"
        verbose_name_plural = "表决日志"

    def __str__(self):
        return f"{self.vote_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        return VoteEventKind(self.kind).label if self.kind in VoteEventKind.values else self.kind


class OwnerUnitEventQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"


class OwnerRegisterEvent(Event):
    """The register's log: which unit was added or changed by whom (values not repeated: they are
    personal data)."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")

    objects = OwnerUnitEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = "业主名册日志"
        verbose_name_plural = "业主名册日志"

    def __str__(self):
        return f"{self.estate_id} {self.kind}"
