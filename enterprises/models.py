import re

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.capabilities import can
from communities import regions
from communities.models import Estate
from core.audit import Event
from core.scoping import ScopedQuerySet

from .validators import validate_credit_code


class EnterpriseQuerySet(ScopedQuerySet):
    region_path_lookup = "registered_region__path"
    enterprise_lookup = "id"

    def visible_to(self, user):
        """A region user sees the enterprises registered in its subtree or serving an estate
        there; an enterprise user sees itself."""
        if user is None or not user.is_authenticated or user.sees_everything or user.is_enterprise_user:
            return super().visible_to(user)
        if not user.region_id:
            return self.none()

        path = user.region.path
        serves_here = Estate.objects.filter(enterprise_id=OuterRef("pk"), community__path__startswith=path)
        return self.filter(Q(registered_region__path__startswith=path) | Exists(serves_here))


class Enterprise(models.Model):
    """物业服务企业."""

    name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该统一社会信用代码已登记。"},
    )
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("注册地址", max_length=200, blank=True)
    registered_region = models.ForeignKey(
        "communities.Region",
        verbose_name="注册地（行政区划）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_enterprises",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "物业服务企业"
        verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------------------------
# Credit file (诚信档案), red/black list (红黑榜) and exit mechanism (退出机制)


class CreditEventKind(models.TextChoices):
    COMMENDATION = "commendation", "表彰"
    GOOD_OTHER = "good_other", "其他良好信息"
    INTERVIEW = "interview", "约谈"
    RECTIFICATION_ORDER = "rectification_order", "责令限期改正"
    PENALTY = "penalty", "行政处罚"
    REFUSED_RECTIFICATION = "refused_rectification", "拒不整改"
    SUPERVISION_OVERDUE = "supervision_overdue", "挂牌督办未按期解除"
    BLACKLIST_NOMINATION = "blacklist_nomination", "黑名单提名"
    COMPLAINTS_CONCENTRATED = "complaints_concentrated", "投诉集中"
    REFUSED_EXIT = "refused_exit", "拒不退出"
    BAD_OTHER = "bad_other", "其他不良信息"


GOOD_EVENT_KINDS = frozenset({CreditEventKind.COMMENDATION, CreditEventKind.GOOD_OTHER})
#: default points per kind (a good event adds, a bad one subtracts); the recorder may override
DEFAULT_EVENT_POINTS = {
    CreditEventKind.COMMENDATION: 5,
    CreditEventKind.GOOD_OTHER: 2,
    CreditEventKind.INTERVIEW: -2,
    CreditEventKind.RECTIFICATION_ORDER: -3,
    CreditEventKind.PENALTY: -10,
    CreditEventKind.REFUSED_RECTIFICATION: -10,
    CreditEventKind.SUPERVISION_OVERDUE: -5,
    CreditEventKind.BLACKLIST_NOMINATION: -5,
    CreditEventKind.COMPLAINTS_CONCENTRATED: -5,
    CreditEventKind.REFUSED_EXIT: -15,
    CreditEventKind.BAD_OTHER: -2,
}
#: kinds that are public once recorded (administrative penalties and commendations are public
#: acts); the others are published by the working group on the credit file page
PUBLIC_EVENT_KINDS = frozenset({CreditEventKind.PENALTY, CreditEventKind.COMMENDATION})


class CreditEventQuerySet(ScopedQuerySet):
    region_path_lookup = "region_path"
    enterprise_lookup = "enterprise_id"

    def bad(self):
        return self.filter(is_bad=True)

    def counting_on(self, day):
        """Events whose counted period covers `day`."""
        return self.filter(counts_from__lte=day, counts_until__gte=day)


class CreditEvent(models.Model):
    """One entry of an enterprise's credit file (诚信档案), good or bad. Written only by
    enterprises.services.credit_event_record; never edited, only withdrawn with a reason."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT, related_name="credit_events"
    )
    kind = models.CharField("类型", max_length=30, choices=CreditEventKind.choices)
    is_bad = models.BooleanField("不良信息", default=True)
    occurred_on = models.DateField("发生日期")
    counts_from = models.DateField("计分期间起")
    counts_until = models.DateField("计分期间止")
    points = models.IntegerField("分值")
    description = models.TextField("事由")
    decision_number = models.CharField("文书文号", max_length=100, blank=True)
    # Where it came from: a case, one of its supervision actions, or an exit record.
    source_case = models.ForeignKey(
        "rectification.Case", verbose_name="来源案件", on_delete=models.PROTECT, null=True, blank=True,
        related_name="credit_events",
    )
    source_supervision = models.ForeignKey(
        "rectification.SupervisionAction", verbose_name="来源督办记录", on_delete=models.PROTECT, null=True,
        blank=True, related_name="credit_events",
    )
    source_exit = models.ForeignKey(
        "enterprises.ExitRecord", verbose_name="来源退出记录", on_delete=models.PROTECT, null=True, blank=True,
        related_name="credit_events",
    )
    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Region path of where it happened (the estate's community, or the recorder's region).
    region_path = models.CharField("区划路径", max_length=120, db_index=True, editable=False)
    is_published = models.BooleanField("已公开", default=False)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdraw_reason = models.TextField("撤销理由", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = CreditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "诚信档案（信用记录）"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "is_bad", "counts_until"], name="credit_event_ent_bad_until")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_supervision", "kind"], condition=Q(source_supervision__isnull=False),
                name="credit_event_once_per_supervision",
            ),
            models.UniqueConstraint(
                fields=["source_exit", "kind"], condition=Q(source_exit__isnull=False),
                name="credit_event_once_per_exit",
            ),
            models.CheckConstraint(
                name="credit_event_period_ordered", condition=Q(counts_until__gte=models.F("counts_from")),
                violation_error_message="计分期间止不能早于起始日期。",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.get_kind_display()} {self.occurred_on}"


class CreditRuleCode(models.TextChoices):
    # black (黑榜): any one active black rule that fires proposes black
    BLACK_REFUSED_RECTIFICATION = "black_refused_rectification", "黑榜：拒不整改记录次数 ≥ 阈值"
    BLACK_OVERDUE_CASES = "black_overdue_cases", "黑榜：整改超期未完成案件数 ≥ 阈值"
    BLACK_SUPERVISION_OVERDUE = "black_supervision_overdue", "黑榜：挂牌督办未按期解除次数 ≥ 阈值"
    BLACK_PENALTY = "black_penalty", "黑榜：行政处罚次数 ≥ 阈值"
    BLACK_COMPLAINT_RATE = "black_complaint_rate", "黑榜：每百户核查属实投诉案件数 > 阈值"
    BLACK_REFUSED_EXIT = "black_refused_exit", "黑榜：拒不退出记录次数 ≥ 阈值"
    BLACK_NOMINATION = "black_nomination", "黑榜：黑名单提名次数 ≥ 阈值"
    # red (红榜): every active red rule must hold, and no black rule fires
    RED_COMPLAINT_RATE = "red_complaint_rate", "红榜：每百户核查属实投诉案件数 ≤ 阈值"
    RED_MAX_BAD_EVENTS = "red_max_bad_events", "红榜：期内不良信用记录数 ≤ 阈值"
    RED_MIN_SATISFACTION = "red_min_satisfaction", "红榜：满意率（%）≥ 阈值"
    RED_MAX_OVERDUE_CASES = "red_max_overdue_cases", "红榜：整改超期案件数 ≤ 阈值"
    RED_MIN_GOOD_EVENTS = "red_min_good_events", "红榜：期内良好信用记录（表彰等）数 ≥ 阈值"


#: the defaults a county starts with (created on its first evaluation, then edited in the admin)
DEFAULT_CREDIT_RULES = {
    CreditRuleCode.BLACK_REFUSED_RECTIFICATION: "1",
    CreditRuleCode.BLACK_OVERDUE_CASES: "3",
    CreditRuleCode.BLACK_SUPERVISION_OVERDUE: "1",
    CreditRuleCode.BLACK_PENALTY: "1",
    CreditRuleCode.BLACK_COMPLAINT_RATE: "2.00",
    CreditRuleCode.BLACK_REFUSED_EXIT: "1",
    CreditRuleCode.BLACK_NOMINATION: "1",
    CreditRuleCode.RED_COMPLAINT_RATE: "0.50",
    CreditRuleCode.RED_MAX_BAD_EVENTS: "0",
    CreditRuleCode.RED_MIN_SATISFACTION: "90",
    CreditRuleCode.RED_MAX_OVERDUE_CASES: "0",
    # 0: no commendation needed; a county that wants the red list to mean "commended" sets 1
    CreditRuleCode.RED_MIN_GOOD_EVENTS: "0",
}


class CreditRuleQuerySet(ScopedQuerySet):
    region_path_lookup = "county__path"


class CreditRule(models.Model):
    """评定规则: one threshold of the red/black evaluation, per county, editable in the admin."""

    county = models.ForeignKey(
        "communities.Region", verbose_name="县/区", on_delete=models.PROTECT, related_name="credit_rules",
        limit_choices_to={"level": 3},
    )
    code = models.CharField("规则", max_length=40, choices=CreditRuleCode.choices)
    threshold = models.DecimalField("阈值", max_digits=10, decimal_places=2)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = CreditRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "红黑榜评定规则"
        verbose_name_plural = "红黑榜评定规则"
        ordering = ["county", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="credit_rule_unique_per_county"),
            models.CheckConstraint(name="credit_rule_threshold_not_negative", condition=Q(threshold__gte=0),
                                   violation_error_message="阈值不能为负数。"),
        ]

    def __str__(self):
        return f"{self.county} {self.get_code_display()} {self.threshold}"


class ListType(models.TextChoices):
    RED = "red", "红榜"
    BLACK = "black", "黑榜"
    NONE = "none", "不列入"


class EvaluationStatus(models.TextChoices):
    OPEN = "open", "评定中"
    PUBLISHED = "published", "已公布"


class EvaluationQuerySet(ScopedQuerySet):
    region_path_lookup = "jurisdiction__path"

    def visible_to(self, user):
        """Region users see evaluations of their subtree and of the jurisdictions above them
        (a town sees the county's evaluation); enterprises see none (they see their entries)."""
        if user is not None and user.is_authenticated and user.is_active and not user.sees_everything \
                and not user.is_enterprise_user and user.region_id:
            path = user.region.path
            return self.filter(Q(jurisdiction__path__startswith=path) | Q(jurisdiction__path__in=regions.ancestors(path)))
        return super().visible_to(user)


class Evaluation(models.Model):
    """红黑榜评定: one evaluation of a period in a jurisdiction, proposals for every enterprise
    serving there, the working group's decision on each, published as the list."""

    title = models.CharField("评定名称", max_length=200)
    jurisdiction = models.ForeignKey(
        "communities.Region", verbose_name="评定范围", on_delete=models.PROTECT, related_name="evaluations"
    )
    period_start = models.DateField("评定期间起")
    period_end = models.DateField("评定期间止")
    status = models.CharField("状态", max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.OPEN)
    rules_snapshot = models.JSONField("评定所用规则", default=dict, blank=True)
    decision_number = models.CharField("决定文号", max_length=100, blank=True)
    decided_on = models.DateField("认定日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    basis = models.TextField("认定依据", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "红黑榜评定"
        verbose_name_plural = "红黑榜评定"
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(name="evaluation_period_ordered", condition=Q(period_end__gte=models.F("period_start")),
                                   violation_error_message="评定期间止不能早于起始日期。"),
        ]

    def __str__(self):
        return self.title

    @property
    def batch_id(self) -> str:
        """Stable id of this evaluation's export batch: a re-export carries the same id."""
        return f"HHB-{self.jurisdiction.code if self.jurisdiction_id else ''}-{self.pk or 0:06d}"


class ProposalDecision(models.TextChoices):
    PENDING = "pending", "待决定"
    ACCEPTED = "accepted", "采纳"
    REJECTED = "rejected", "不采纳"
    CHANGED = "changed", "改为其他结果"


class ProposalQuerySet(ScopedQuerySet):
    region_path_lookup = "evaluation__jurisdiction__path"

    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_enterprise_user:
            return self.none()
        return self.filter(evaluation__in=Evaluation.objects.visible_to(user))


class Proposal(models.Model):
    """One enterprise's proposed result in an evaluation (red / black / neither), with the reasons
    the rules gave, and the working group's decision on it."""

    evaluation = models.ForeignKey(Evaluation, verbose_name="评定", on_delete=models.CASCADE, related_name="proposals")
    enterprise = models.ForeignKey(Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT,
                                   related_name="credit_proposals")
    proposed = models.CharField("建议结果", max_length=10, choices=ListType.choices)
    reasons = models.JSONField("建议理由", default=list, blank=True)
    metrics = models.JSONField("评定指标", default=dict, blank=True)
    decision = models.CharField("决定", max_length=20, choices=ProposalDecision.choices,
                                default=ProposalDecision.PENDING)
    final = models.CharField("认定结果", max_length=10, choices=ListType.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "评定建议"
        verbose_name_plural = "评定建议"
        ordering = ["evaluation", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "enterprise"], name="proposal_once_per_enterprise"),
        ]

    def __str__(self):
        return f"{self.evaluation_id} {self.enterprise_id} {self.get_proposed_display()}"


class ListEntryQuerySet(ScopedQuerySet):
    region_path_lookup = "evaluation__jurisdiction__path"
    enterprise_lookup = "enterprise_id"

    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_enterprise_user:
            return super().visible_to(user)
        return self.filter(evaluation__in=Evaluation.objects.visible_to(user))

    def active_on(self, day):
        """Entries in force on `day`: not ended early (信用修复 / 撤销) and not past validity."""
        return self.filter(valid_from__lte=day, valid_until__gte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class ListEntry(models.Model):
    """A published red or black list entry (红黑榜名单), created when an evaluation is published."""

    evaluation = models.ForeignKey(Evaluation, verbose_name="评定", on_delete=models.PROTECT, related_name="entries")
    proposal = models.OneToOneField(Proposal, verbose_name="评定建议", on_delete=models.PROTECT, related_name="entry")
    enterprise = models.ForeignKey(Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT,
                                   related_name="list_entries")
    list_type = models.CharField("名单类型", max_length=10, choices=ListType.choices)
    reason = models.TextField("认定事由")
    basis = models.TextField("认定依据", blank=True)
    authority = models.CharField("认定单位", max_length=100)
    decision_number = models.CharField("决定文号", max_length=100)
    decided_on = models.DateField("认定日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    ended_on = models.DateField("提前移出日期", null=True, blank=True)
    end_reason = models.TextField("移出理由（信用修复/撤销）", blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="移出决定人", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "红黑榜名单"
        verbose_name_plural = "红黑榜名单"
        ordering = ["list_type", "enterprise__name"]
        constraints = [
            models.CheckConstraint(name="list_entry_type_red_or_black", condition=Q(list_type__in=["red", "black"]),
                                   violation_error_message="名单类型只能是红榜或黑榜。"),
            models.CheckConstraint(name="list_entry_validity_ordered", condition=Q(valid_until__gte=models.F("valid_from")),
                                   violation_error_message="有效期至不能早于有效期起。"),
        ]

    def __str__(self):
        return f"{self.get_list_type_display()} {self.enterprise_id}"

    def is_active_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until and (self.ended_on is None or self.ended_on > day)

    @property
    def public_reason(self) -> str:
        """The reason as the public reads it: the facts ("受到行政处罚 1 次"), without the rule's
        internals the evaluation notes beside them ("（阈值：≥ 1）"), which are for the working group."""
        return RULE_INTERNALS.sub("", self.reason).strip()


#: the parenthesised rule thresholds enterprises.credit_rules writes into a proposal's reasons
RULE_INTERNALS = re.compile(r"[（(][^（）()]*阈值[^（）()]*[）)]")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    ANSWERED = "answered", "已答复"


class ObjectionOutcome(models.TextChoices):
    MAINTAINED = "maintained", "维持原认定"
    REVOKED = "revoked", "撤销认定"


class ObjectionQuerySet(ScopedQuerySet):
    region_path_lookup = "entry__evaluation__jurisdiction__path"
    enterprise_lookup = "enterprise_id"

    def visible_to(self, user):
        # an objection is between one enterprise and the working group that listed it: the
        # enterprise reads its own, the county roles those of their evaluations; towns,
        # communities and the read-only roles read none, though they see the lists
        if not can(user, "objection.read"):
            return self.none()
        if user.is_enterprise_user:
            return super().visible_to(user)
        return self.filter(entry__in=ListEntry.objects.visible_to(user))


class Objection(models.Model):
    """异议: filed by an enterprise user against its own list entry, answered on the record by
    the working group."""

    entry = models.ForeignKey(ListEntry, verbose_name="名单", on_delete=models.PROTECT, related_name="objections")
    enterprise = models.ForeignKey(Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT,
                                   related_name="objections")
    content = models.TextField("异议内容")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField("提出时间", default=timezone.now)
    status = models.CharField("状态", max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING)
    outcome = models.CharField("答复结果", max_length=20, choices=ObjectionOutcome.choices, blank=True)
    answer = models.TextField("答复意见", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-filed_at", "-id"]

    def __str__(self):
        return f"{self.enterprise_id} {self.filed_at:%Y-%m-%d}"


class ExitReason(models.TextChoices):
    DISMISSED = "dismissed", "业主大会决议解聘"
    CONTRACT_ENDED = "contract_ended", "物业服务合同期满终止"
    OTHER = "other", "其他原因终止"


class ExitStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "移交中"
    OVERDUE = "overdue", "逾期未移交"
    COMPLETED = "completed", "移交完成"


#: the handover checklist (移交清单), from the plans' 移交义务 and 民法典 art. 949
HANDOVER_ITEMS = [
    ("service_rooms", "物业服务用房"),
    ("facilities", "相关设施设备"),
    ("as_built_records", "竣工及设施设备资料"),
    ("owner_roster", "业主名册"),
    ("funds_accounts", "维修资金及公共收益账目"),
    ("seals_keys", "印章、钥匙"),
    ("usage_status", "物业使用和管理状况告知"),
]


class ExitRecordQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "enterprise_id"


class ExitRecord(models.Model):
    """退出: an enterprise leaving an estate (dismissal under 民法典 arts. 278/946/947/949, or a
    contract that ended), its handover to the new manager, and what followed a late handover."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT,
                               related_name="exits")
    enterprise = models.ForeignKey(Enterprise, verbose_name="退出企业", on_delete=models.PROTECT, related_name="exits")
    reason = models.CharField("退出原因", max_length=20, choices=ExitReason.choices)
    decision = models.TextField("决议/决定情况")
    decision_date = models.DateField("决议日期")
    notice_date = models.DateField("通知日期")
    handover_deadline = models.DateField("移交期限")
    new_enterprise = models.ForeignKey(Enterprise, verbose_name="新物业服务企业", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="entries_in")
    new_manager_name = models.CharField("新管理人（自行管理时）", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=ExitStatus.choices, default=ExitStatus.IN_PROGRESS)
    overdue_case = models.OneToOneField("rectification.Case", verbose_name="逾期移交案件", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="exit_record")
    completed_on = models.DateField("移交完成日期", null=True, blank=True)
    market_regulation_referred_on = models.DateField("报告市场监管日期", null=True, blank=True)
    referral_note = models.TextField("报告市场监管情况", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ExitRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "退出记录"
        verbose_name_plural = "退出机制（退出与移交）"
        ordering = ["-notice_date", "-id"]
        constraints = [
            models.CheckConstraint(name="exit_deadline_after_notice",
                                   condition=Q(handover_deadline__gte=models.F("notice_date")),
                                   violation_error_message="移交期限不能早于通知日期。"),
        ]

    def __str__(self):
        return f"{self.estate_id} {self.enterprise_id} {self.get_status_display()}"


class HandoverItem(models.Model):
    """One line of the handover checklist, ticked with its date and evidence."""

    exit_record = models.ForeignKey(ExitRecord, verbose_name="退出记录", on_delete=models.CASCADE,
                                    related_name="handover_items")
    item = models.CharField("移交事项", max_length=30, choices=HANDOVER_ITEMS)
    done_on = models.DateField("移交日期", null=True, blank=True)
    evidence = models.TextField("佐证说明", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "移交事项"
        verbose_name_plural = "移交清单"
        ordering = ["exit_record", "id"]
        constraints = [models.UniqueConstraint(fields=["exit_record", "item"], name="handover_item_once")]

    def __str__(self):
        return self.get_item_display()


class LitigationStage(models.TextChoices):
    FILED = "filed", "已立案"
    FIRST_INSTANCE = "first_instance", "一审"
    SECOND_INSTANCE = "second_instance", "二审"
    ENFORCEMENT = "enforcement", "执行"
    CLOSED = "closed", "结案"


class ExitLitigation(models.Model):
    """诉讼跟踪: one recorded step of the owners' lawsuit against a company that refuses to leave."""

    exit_record = models.ForeignKey(ExitRecord, verbose_name="退出记录", on_delete=models.CASCADE,
                                    related_name="litigation")
    court = models.CharField("受理法院", max_length=100)
    case_number = models.CharField("案号", max_length=100)
    stage = models.CharField("阶段", max_length=20, choices=LitigationStage.choices)
    outcome = models.TextField("进展/结果", blank=True)
    recorded_on = models.DateField("登记日期", default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "诉讼跟踪"
        verbose_name_plural = "诉讼跟踪"
        ordering = ["exit_record", "recorded_on", "id"]

    def __str__(self):
        return f"{self.case_number} {self.get_stage_display()}"


class ServiceLevelChangeQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "enterprise_id"


class ServiceLevelChange(models.Model):
    """重新核定服务等级 (山西): for an enterprise that refuses or fails rectification, the working
    group regrades the estate's service level and the fee that goes with it."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT,
                               related_name="service_level_changes")
    enterprise = models.ForeignKey(Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT,
                                   related_name="service_level_changes")
    from_level = models.CharField("原服务等级", max_length=2, blank=True)
    to_level = models.CharField("核定后服务等级", max_length=2)
    fee_before = models.DecimalField("原收费标准（元/㎡·月）", max_digits=14, decimal_places=2, null=True, blank=True)
    fee_after = models.DecimalField("核定后收费标准（元/㎡·月）", max_digits=14, decimal_places=2)
    decision_number = models.CharField("决定文号", max_length=100)
    effective_on = models.DateField("执行日期")
    reason = models.TextField("核定理由")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ServiceLevelChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "服务等级重新核定"
        verbose_name_plural = "服务等级重新核定"
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(name="service_level_fee_not_negative", condition=Q(fee_after__gte=0),
                                   violation_error_message="收费标准不能为负数。"),
        ]

    def __str__(self):
        return f"{self.estate_id} {self.from_level}→{self.to_level}"


class CreditLogKind(models.TextChoices):
    EVALUATION_OPENED = "evaluation_opened", "发起评定"
    PROPOSAL_DECIDED = "proposal_decided", "作出决定"
    EVALUATION_PUBLISHED = "evaluation_published", "公布名单"
    ENTRY_ENDED = "entry_ended", "提前移出（信用修复/撤销）"
    OBJECTION_FILED = "objection_filed", "提出异议"
    OBJECTION_ANSWERED = "objection_answered", "答复异议"
    EVENT_PUBLISHED = "event_published", "公开/取消公开信用记录"
    EVENT_WITHDRAWN = "event_withdrawn", "撤销信用记录"
    EVENT_RECORDED = "event_recorded", "登记信用记录"
    EXIT_OPENED = "exit_opened", "登记退出"
    HANDOVER_TICKED = "handover_ticked", "确认移交事项"
    EXIT_OVERDUE = "exit_overdue", "逾期未完成移交"
    LITIGATION_RECORDED = "litigation_recorded", "登记诉讼进展"
    MARKET_REFERRAL = "market_referral", "报告市场监管部门"
    LEVEL_REGRADED = "level_regraded", "重新核定服务等级"


#: log rows that carry an objection's text or its answer (read as the objection is, "objection.read")
OBJECTION_LOG_KINDS = (CreditLogKind.OBJECTION_FILED, CreditLogKind.OBJECTION_ANSWERED)


class CreditLog(Event):
    """The audit trail of the enterprises app — the credit file, the red/black list, exits and
    regradings: who did what, when, from what to what and why; ids of the rows concerned in
    `data`. Written only by enterprises.services; never edited or deleted (a re-decision is a new row)."""

    evaluation = models.ForeignKey(Evaluation, verbose_name="评定", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="log")
    enterprise = models.ForeignKey(Enterprise, verbose_name="物业服务企业", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="credit_log")
    kind = models.CharField("类型", max_length=30, choices=CreditLogKind.choices)
    from_state = models.CharField("原值", max_length=30, blank=True)
    to_state = models.CharField("新值", max_length=30, blank=True)

    class Meta:
        verbose_name = "红黑榜操作记录"
        verbose_name_plural = "红黑榜操作记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
