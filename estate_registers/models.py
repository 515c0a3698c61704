"""The estate registers the plans name (钟山 (三)(四)(六)(七), 休宁 (三)): the maintenance fund
(住宅专项维修资金), lifts, parking, service contracts and fee disclosures. Every row is entered by
the enterprise or the community within scope, reviewed by the town (待审核 → 已审核 / 已退回) and
visible to the county; every write leaves a RegisterEvent. The county's limits are data
(RegisterRule); the daily checks (checks.py) record each finding once (RegisterFinding) and
send its clue through rectification's one intake."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from communities.models import ServiceLevel
from core.audit import Event
from core.files import StoredFile, private_file_field
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class EstateScopedQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "estate__enterprise_id"


# ---------------------------------------------------------------------------------------------
# The county's limits (data, editable in the admin)


class RegisterRule(models.Model):
    """The limits of a region (county or town) for the registers' checks and lists. An estate
    follows the rule of its nearest region that has one, else the defaults below (see
    estate_registers.rules for where each default comes from)."""

    region = models.OneToOneField(
        "communities.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="register_rule"
    )
    fund_transfer_days = models.PositiveSmallIntegerField(
        "代收维修资金上缴期限（天）", default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    contract_filing_days = models.PositiveSmallIntegerField(
        "物业服务合同备案期限（天）", default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    lift_maintenance_days = models.PositiveSmallIntegerField(
        "电梯维保间隔（天）", default=15, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    lift_max_age_years = models.PositiveSmallIntegerField(
        "老旧电梯年限（年）", default=15, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    basis = models.CharField("依据（文件名称）", max_length=200, blank=True)

    class Meta:
        verbose_name = "小区专项台账核查规则"
        verbose_name_plural = "小区专项台账核查规则"

    def __str__(self):
        return f"{self.region} 小区专项台账核查规则"


# ---------------------------------------------------------------------------------------------
# The one review workflow


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"


class RegisterRow(models.Model):
    """What every register row shares: its estate, who entered it, and the town's review. Any
    change by the enterprise or the community sends the row back to 待审核."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "审核状态", max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED, db_index=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField("填报时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见（退回原因）", max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        abstract = True


# ---------------------------------------------------------------------------------------------
# 住宅专项维修资金


class DepositStatus(models.TextChoices):
    DEPOSITED = "deposited", "已足额交存"
    PARTIAL = "partial", "部分交存"
    NOT_DEPOSITED = "not_deposited", "未交存"
    SELF_MANAGED = "self_managed", "业主大会自行管理"


class FundAccount(RegisterRow):
    """The estate's maintenance-fund position: deposit status and where the money is held."""

    estate = models.OneToOneField(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="fund_account"
    )
    deposit_status = models.CharField("交存情况", max_length=20, choices=DepositStatus.choices)
    account_bank = models.CharField("专户开户银行", max_length=100, blank=True)
    balance = models.DecimalField("账面余额（元）", **MONEY, null=True, blank=True)
    balance_on = models.DateField("余额日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "维修资金交存情况"
        verbose_name_plural = "维修资金交存情况"
        ordering = ["estate__community__path", "estate__name"]
        constraints = [
            models.CheckConstraint(
                name="fund_account_balance_not_negative",
                condition=Q(balance__isnull=True) | Q(balance__gte=0),
                violation_error_message="账面余额不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.get_deposit_status_display()}"


class FundCollection(RegisterRow):
    """Maintenance fund the developer or the enterprise collected from owners (代收) and its
    transfer into the bureau's special account (上缴县住建局专户)."""

    collected_by = models.CharField("代收单位", max_length=100)
    collected_on = models.DateField("代收日期")
    collected_amount = models.DecimalField("代收金额（元）", **MONEY)
    transferred_on = models.DateField("上缴日期", null=True, blank=True)
    transferred_amount = models.DecimalField("上缴金额（元）", **MONEY, default=0)
    voucher_number = models.CharField("缴款凭证号", max_length=50, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "维修资金代收上缴"
        verbose_name_plural = "维修资金代收上缴"
        ordering = ["-collected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fund_collection_amounts",
                condition=Q(collected_amount__gt=0) & Q(transferred_amount__gte=0)
                & Q(transferred_amount__lte=F("collected_amount")),
                violation_error_message="代收金额须大于 0，上缴金额不能为负数或超过代收金额。",
            ),
            models.CheckConstraint(
                name="fund_collection_transfer_dated",
                condition=Q(transferred_amount=0) | Q(transferred_on__isnull=False),
                violation_error_message="已上缴的，请填写上缴日期。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.collected_on} 代收 {self.collected_amount} 元"

    @property
    def outstanding(self):
        return self.collected_amount - self.transferred_amount


class FundUse(RegisterRow):
    """One use of the fund, with the owners' approval (业主表决) and its disclosure (公示)."""

    item = models.CharField("使用项目", max_length=200)
    amount = models.DecimalField("使用金额（元）", **MONEY)
    owners_approved_on = models.DateField("业主表决通过日期", null=True, blank=True)
    approval_basis = models.CharField("表决情况", max_length=200, blank=True,
                                      help_text="例如：专有部分面积和人数均超过三分之二参与表决、过半数同意")
    emergency = models.BooleanField("应急使用", default=False)
    disclosed_on = models.DateField("公示日期", null=True, blank=True)
    used_on = models.DateField("使用日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "维修资金使用"
        verbose_name_plural = "维修资金使用"
        ordering = ["-used_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fund_use_amount_positive", condition=Q(amount__gt=0),
                violation_error_message="使用金额必须大于 0。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.item}"


class FundUseDocumentQuerySet(ScopedThroughQuerySet):
    scope_through = "fund_use"


class FundUseDocument(StoredFile):
    """The owners' approval or the disclosure notice of one fund use (PDF or photo)."""

    fund_use = models.ForeignKey(FundUse, verbose_name="维修资金使用", on_delete=models.PROTECT,
                                 related_name="documents")

    objects = FundUseDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "维修资金使用文件"
        verbose_name_plural = "维修资金使用文件"
        ordering = ["id"]


# ---------------------------------------------------------------------------------------------
# 电梯


class RenewalStatus(models.TextChoices):
    NONE = "none", "无"
    APPLIED = "applied", "已申报更新改造"
    APPROVED = "approved", "已批准"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"


class FundingSource(models.TextChoices):
    MAINTENANCE_FUND = "maintenance_fund", "住宅专项维修资金"
    PUBLIC_REVENUE = "public_revenue", "公共收益"
    GOVERNMENT = "government", "财政补助"
    OWNERS = "owners", "业主自筹"
    BONDS = "bonds", "超长期特别国债"
    MIXED = "mixed", "多渠道筹集"


class Lift(RegisterRow):
    """One lift of an estate. Faults and complaints are the estate's cases under taxonomy C."""

    registration_number = models.CharField("使用登记证号", max_length=50, unique=True)
    location = models.CharField("所在楼栋/单元", max_length=100)
    install_year = models.PositiveSmallIntegerField(
        "投用年份", validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    maintenance_company = models.CharField("维保单位", max_length=100)
    last_maintained_on = models.DateField("最近维保日期", null=True, blank=True)
    in_service = models.BooleanField("在用", default=True)
    renewal_status = models.CharField("更新改造", max_length=20, choices=RenewalStatus.choices,
                                      default=RenewalStatus.NONE)
    renewal_applied_on = models.DateField("更新改造申报日期", null=True, blank=True)
    funding_source = models.CharField("资金来源", max_length=20, choices=FundingSource.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "电梯"
        verbose_name_plural = "电梯"
        ordering = ["estate__community__path", "estate__name", "location", "id"]
        constraints = [
            models.CheckConstraint(
                name="lift_renewal_dated",
                condition=Q(renewal_status="none") | Q(renewal_applied_on__isnull=False),
                violation_error_message="已申报更新改造的，请填写申报日期。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.location}（{self.registration_number}）"


# ---------------------------------------------------------------------------------------------
# 停车


class ParkingRegister(RegisterRow):
    """The estate's parking spaces by kind, its rules and fees."""

    estate = models.OneToOneField(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="parking_register"
    )
    planned_spaces = models.PositiveIntegerField("规划车位", default=0)
    public_spaces = models.PositiveIntegerField("公共区域车位（业主共有）", default=0)
    sold_spaces = models.PositiveIntegerField("已出售车位", default=0)
    rented_spaces = models.PositiveIntegerField("已出租车位", default=0)
    monthly_fee = models.DecimalField("月租费（元/月）", **MONEY, null=True, blank=True)
    temporary_fee = models.CharField("临时停车收费标准", max_length=100, blank=True)
    rules = models.TextField("停车管理规约", blank=True)
    rules_approved = models.BooleanField("规约经业主大会通过", default=False)

    class Meta:
        verbose_name = "停车管理"
        verbose_name_plural = "停车管理"
        ordering = ["estate__community__path", "estate__name"]
        constraints = [
            models.CheckConstraint(
                name="parking_used_within_planned",
                condition=Q(planned_spaces__gte=F("sold_spaces") + F("rented_spaces")),
                violation_error_message="已出售与已出租车位之和不能超过规划车位。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} 停车管理"


class DisputeKind(models.TextChoices):
    PUBLIC_SPACE_RENTED = "public_space_rented", "私自出租公共区域车位"
    GROUND_LOCK = "ground_lock", "私设地桩地锁、挡车石墩"
    SPACE_OCCUPIED = "space_occupied", "占用、抢占车位"
    DISORDER = "disorder", "违规停放未干预"
    OTHER = "other", "其他停车纠纷"


class ParkingDispute(models.Model):
    """A parking dispute as recorded; its handling is the case it opened or joined (taxonomy D)."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("纠纷类型", max_length=30, choices=DisputeKind.choices)
    description = models.CharField("情况描述", max_length=500)
    case = models.ForeignKey("rectification.Case", verbose_name="整改案件", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "停车纠纷"
        verbose_name_plural = "停车纠纷"
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.estate} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------
# 合同备案、收费公示


class ContractKind(models.TextChoices):
    PRELIMINARY = "preliminary", "前期物业服务合同（建设单位签订）"
    OWNERS = "owners", "物业服务合同（业主大会选聘）"


class ServiceContract(RegisterRow):
    """One service contract of the estate's history. The latest one (by start date) that is not
    returned is what Estate.contract_* and service_level show (services.estate_contract_sync)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="物业服务企业", on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField("合同类型", max_length=20, choices=ContractKind.choices, default=ContractKind.OWNERS)
    signed_on = models.DateField("签订日期")
    start = models.DateField("合同开始日期")
    end = models.DateField("合同结束日期")
    service_level = models.CharField("服务等级", max_length=2, choices=ServiceLevel.choices)
    fee_standard = models.DecimalField("物业费标准（元/㎡·月）", max_digits=8, decimal_places=2)
    filing_number = models.CharField("备案号", max_length=50, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)

    class Meta:
        verbose_name = "物业服务合同"
        verbose_name_plural = "物业服务合同"
        ordering = ["estate__community__path", "estate__name", "-start", "-id"]
        constraints = [
            models.CheckConstraint(
                name="service_contract_dates_ordered", condition=Q(end__gte=F("start")),
                violation_error_message="合同结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                name="service_contract_fee_positive", condition=Q(fee_standard__gt=0),
                violation_error_message="物业费标准必须大于 0。",
            ),
            models.CheckConstraint(
                name="service_contract_filing_complete",
                condition=(Q(filing_number="") & Q(filed_on__isnull=True)) | (~Q(filing_number="") & Q(filed_on__isnull=False)),
                violation_error_message="备案号与备案日期须同时填写。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.start}—{self.end} {self.enterprise}"


class FeeDisclosure(RegisterRow):
    """收费公示: the fee the enterprise charges as posted in the estate, with its notice photo."""

    disclosed_on = models.DateField("公示日期")
    fee_charged = models.DecimalField("公示物业费（元/㎡·月）", max_digits=8, decimal_places=2)
    location = models.CharField("公示位置", max_length=200)
    photo = private_file_field("公示照片", app="estate_registers")
    photo_name = models.CharField("照片原文件名", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "收费公示"
        verbose_name_plural = "收费公示"
        ordering = ["-disclosed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fee_disclosure_fee_positive", condition=Q(fee_charged__gt=0),
                violation_error_message="公示物业费必须大于 0。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.disclosed_on} 收费公示"


# ---------------------------------------------------------------------------------------------
# Audit and automatic checks


class RegisterEvent(Event):
    """Audit row of every register write (entry, change, review, import). Never edited."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    register = models.CharField("台账", max_length=30)
    object_id = models.PositiveBigIntegerField("记录编号")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "小区专项台账操作记录"
        verbose_name_plural = "小区专项台账操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["register", "object_id"], name="register_event_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.register} {self.kind}"

    @property
    def from_label(self) -> str:
        return ReviewStatus(self.from_state).label if self.from_state in ReviewStatus.values else self.from_state

    @property
    def to_label(self) -> str:
        return ReviewStatus(self.to_state).label if self.to_state in ReviewStatus.values else self.to_state


class RegisterCheckKind(models.TextChoices):
    FUND_NOT_TRANSFERRED = "fund_not_transferred", "代收维修资金逾期未上缴"
    CONTRACT_NOT_FILED = "contract_not_filed", "物业服务合同逾期未备案"
    CONTRACT_EXPIRED = "contract_expired", "物业服务合同已到期未续签"
    FEE_ABOVE_STANDARD = "fee_above_standard", "公示收费高于备案合同标准"


class RegisterFinding(models.Model):
    """One finding of the daily checks, unique per (estate, check, subject): recorded — and its
    clue sent to the ledger — exactly once."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    check_kind = models.CharField("核查项目", max_length=30, choices=RegisterCheckKind.choices)
    subject_key = models.CharField("核查对象", max_length=50)
    description = models.CharField("发现问题", max_length=300)
    case = models.ForeignKey(
        "rectification.Case", verbose_name="整改案件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_on = models.DateField("发现日期")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "小区专项台账自动核查发现"
        verbose_name_plural = "小区专项台账自动核查发现"
        ordering = ["-found_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "check_kind", "subject_key"], name="register_finding_unique"),
        ]

    def __str__(self):
        return f"{self.estate} {self.get_check_kind_display()} {self.subject_key}"
