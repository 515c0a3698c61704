"""Public revenue (公共收益): per estate the special account (公共收益专门账户), the revenue sources
that use the owners' common parts, the income/spending ledger, the periodic disclosures (公示),
the local rules (period, deadline, enterprise share cap) and the automatic-check findings."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.audit import Event
from core.files import private_file_field, random_name
from core.scoping import ScopedQuerySet

from . import periods

MONEY = {"max_digits": 14, "decimal_places": 2}


class EstateScopedQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "estate__enterprise_id"


# ---------------------------------------------------------------------------------------------
# Rules (data, editable in the admin)


class RevenueRule(models.Model):
    """公共收益管理规则 of a region (county or town): disclosure period, deadline and the cap on the
    enterprise's share. An estate follows the rule of its nearest region that has one."""

    region = models.OneToOneField(
        "communities.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="revenue_rule"
    )
    disclosure_period_months = models.PositiveSmallIntegerField(
        "公示周期（月）", default=3, choices=[(1, "每月"), (3, "每季度"), (6, "每半年"), (12, "每年")]
    )
    disclosure_deadline_days = models.PositiveSmallIntegerField(
        "期满后公示期限（天）", default=15, validators=[MaxValueValidator(90)]
    )
    enterprise_share_cap_percent = models.DecimalField(
        "企业提取管理成本上限（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    basis = models.CharField("依据（文件名称）", max_length=200, blank=True)

    class Meta:
        verbose_name = "公共收益管理规则"
        verbose_name_plural = "公共收益管理规则"
        constraints = [
            models.CheckConstraint(
                name="revenue_rule_cap_0_100",
                condition=Q(enterprise_share_cap_percent__gte=0) & Q(enterprise_share_cap_percent__lte=100),
                violation_error_message="企业提取管理成本上限应在 0 至 100 之间。",
            ),
            models.CheckConstraint(
                name="revenue_rule_period_months",
                condition=Q(disclosure_period_months__in=[1, 3, 6, 12]),
                violation_error_message="公示周期只能是 1、3、6 或 12 个月。",
            ),
        ]

    def __str__(self):
        return f"{self.region} 公共收益管理规则"


# ---------------------------------------------------------------------------------------------
# The special account


class AccountHolder(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"
    MANAGEMENT_COMMITTEE = "management_committee", "物业管理委员会"
    ENTERPRISE_TRUST = "enterprise_trust", "物业服务企业代管"
    STREET_SUPERVISED = "street_supervised", "镇（街道）监管"


class RevenueAccount(models.Model):
    """公共收益专门账户 (监管账号) of one estate, or the recorded fact that it has none. The account
    number is stored encrypted (core.crypto) and only ever shown masked."""

    estate = models.OneToOneField(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_account"
    )
    has_account = models.BooleanField("已开设专门账户", default=True)
    bank = models.CharField("开户银行", max_length=100, blank=True)
    account_name = models.CharField("账户名称", max_length=100, blank=True)
    account_number_encrypted = models.TextField("账号（加密）", blank=True, editable=False)
    account_number_last4 = models.CharField("账号末四位", max_length=4, blank=True, editable=False)
    opened_on = models.DateField("开户日期", null=True, blank=True)
    holder = models.CharField("账户管理方", max_length=30, choices=AccountHolder.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益专门账户"
        verbose_name_plural = "公共收益专门账户"
        constraints = [
            models.CheckConstraint(
                name="revenue_account_complete",
                condition=Q(has_account=False)
                | (~Q(bank="") & ~Q(account_name="") & ~Q(account_number_encrypted="") & ~Q(holder="")),
                violation_error_message="已开设账户的，开户银行、账户名称、账号和账户管理方均须填写。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.masked_number if self.has_account else '未开设'}"

    @property
    def masked_number(self) -> str:
        if not self.has_account or not self.account_number_last4:
            return ""
        return f"**** **** {self.account_number_last4}"


# ---------------------------------------------------------------------------------------------
# Revenue sources (use of common parts)


class RevenueKind(models.TextChoices):
    ELEVATOR_AD = "elevator_ad", "电梯广告"
    OTHER_AD = "other_ad", "其他广告"
    GROUND_PARKING = "ground_parking", "地面停车"
    VENUE_RENTAL = "venue_rental", "场地租赁"
    FACILITY = "facility", "快递柜、充电桩等设施"
    SERVICE_ROOM = "service_room", "物业用房经营"
    OTHER = "other", "其他"


class SpendingKind(models.TextChoices):
    ENTERPRISE_SHARE = "enterprise_share", "物业服务企业管理成本"
    MAINTENANCE = "maintenance", "共用部位设施维修养护"
    PROPERTY_FEE_OFFSET = "property_fee_offset", "抵扣物业费"
    OWNERS_BODY = "owners_body", "业主大会、业委会工作经费"
    TAX = "tax", "税费"
    OTHER = "other", "其他支出"


class Approval(models.TextChoices):
    """The plans: 未征得相关业主、业主大会同意 (山西、钟山) — either consent is an approval."""

    ASSEMBLY = "assembly", "业主大会决议同意"
    OWNERS_CONSENT = "owners_consent", "相关业主书面同意"
    NONE = "none", "未经业主同意"


class RevenueSource(models.Model):
    """One use of the owners' common parts that earns money (经营项目): kind, the part used, the
    counterparty, the contract and whether the owners approved it."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_sources"
    )
    kind = models.CharField("收益类型", max_length=20, choices=RevenueKind.choices)
    common_part = models.CharField("利用的共用部位/设施", max_length=200)
    counterparty = models.CharField("合作方", max_length=100, blank=True)
    contract_start = models.DateField("合同开始日期", null=True, blank=True)
    contract_end = models.DateField("合同结束日期", null=True, blank=True)
    contract_amount = models.DecimalField("合同约定收入（元）", **MONEY, null=True, blank=True)
    approval = models.CharField("业主同意情况", max_length=20, choices=Approval.choices, default=Approval.NONE)
    approval_decision = models.CharField("决议/同意文件", max_length=200, blank=True)
    approval_date = models.DateField("同意日期", null=True, blank=True)
    is_active = models.BooleanField("经营中", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益经营项目"
        verbose_name_plural = "公共收益经营项目"
        ordering = ["estate", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="revenue_source_amount_not_negative",
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gte=0),
                violation_error_message="合同约定收入不能为负数。",
            ),
            models.CheckConstraint(
                name="revenue_source_dates_ordered",
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                violation_error_message="合同结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.common_part}）"

    @property
    def is_approved(self) -> bool:
        return self.approval != Approval.NONE


# ---------------------------------------------------------------------------------------------
# The ledger


class Direction(models.TextChoices):
    INCOME = "income", "收入"
    SPENDING = "spending", "支出"


class AllocationBasis(models.TextChoices):
    CONTRACT = "contract", "合同约定"
    ASSEMBLY = "assembly", "业主大会决议"


def _voucher_path(instance, filename):
    """Named by migration 0001; files are named by core.files.RandomName."""
    return random_name("public_revenue", filename)


_photo_path = _voucher_path


class RevenueEntryQuerySet(EstateScopedQuerySet):
    def income(self):
        return self.filter(direction=Direction.INCOME)

    def spending(self):
        return self.filter(direction=Direction.SPENDING)


class RevenueEntry(models.Model):
    """One income or spending line of an estate's public-revenue ledger (收支明细)."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_entries"
    )
    direction = models.CharField("收支", max_length=10, choices=Direction.choices)
    income_kind = models.CharField("收入类型", max_length=20, choices=RevenueKind.choices, blank=True)
    spending_kind = models.CharField("支出类型", max_length=30, choices=SpendingKind.choices, blank=True)
    source = models.ForeignKey(
        RevenueSource, verbose_name="经营项目", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    occurred_on = models.DateField("发生日期", db_index=True)
    amount = models.DecimalField("金额（元）", **MONEY)
    counterparty = models.CharField("交易对方", max_length=100, blank=True)
    allocation_basis = models.CharField("分配使用依据", max_length=20, choices=AllocationBasis.choices, blank=True)
    basis_reference = models.CharField("依据说明（合同条款/决议文号）", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    voucher = private_file_field("凭证", app="public_revenue", blank=True)
    voucher_name = models.CharField("凭证原文件名", max_length=200, blank=True)
    voucher_content_type = models.CharField("凭证类型", max_length=50, blank=True)
    #: natural key of an imported row, so that a re-import adds nothing twice
    import_key = models.CharField("导入标识", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RevenueEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益收支明细"
        verbose_name_plural = "公共收益收支明细"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["estate", "occurred_on"], name="revenue_entry_estate_date")]
        constraints = [
            models.CheckConstraint(
                name="revenue_entry_amount_positive",
                condition=Q(amount__gt=0),
                violation_error_message="金额必须大于 0。",
            ),
            models.CheckConstraint(
                name="revenue_entry_kind_matches_direction",
                condition=(Q(direction="income") & ~Q(income_kind="") & Q(spending_kind=""))
                | (Q(direction="spending") & ~Q(spending_kind="") & Q(income_kind="")),
                violation_error_message="收入须选择收入类型，支出须选择支出类型。",
            ),
            models.UniqueConstraint(
                fields=["estate", "import_key"], condition=~Q(import_key=""), name="revenue_entry_unique_import_key"
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.get_direction_display()} {self.amount}"

    @property
    def kind_display(self) -> str:
        return (
            self.get_income_kind_display() if self.direction == Direction.INCOME else self.get_spending_kind_display()
        )


# ---------------------------------------------------------------------------------------------
# Disclosures (公示)


class Disclosure(models.Model):
    """公示: the estate's public-revenue statement for one period, as posted. The totals are a
    snapshot of the ledger when it was recorded (what the owners saw on the notice board)."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_disclosures"
    )
    period_start = models.DateField("公示期间起")
    period_end = models.DateField("公示期间止")
    deadline = models.DateField("应公示期限")
    income_total = models.DecimalField("本期收入合计（元）", **MONEY)
    spending_total = models.DecimalField("本期支出合计（元）", **MONEY)
    enterprise_share_total = models.DecimalField("其中企业管理成本（元）", **MONEY)
    balance = models.DecimalField("累计结余（元）", **MONEY)
    #: {"income": {kind: "123.45"}, "spending": {kind: "…"}} — Decimal strings
    totals_by_kind = models.JSONField("分类合计", default=dict)
    posted_location = models.CharField("公示位置（醒目位置）", max_length=200)
    posted_on_platform = models.BooleanField("已在智慧物业平台公示", default=False)
    posted_on = models.DateField("公示日期")
    photo = private_file_field("公示照片", app="public_revenue")
    photo_name = models.CharField("照片原文件名", max_length=200, blank=True)
    photo_content_type = models.CharField("照片类型", max_length=50)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审阅人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    review_note = models.CharField("审阅意见", max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益公示"
        verbose_name_plural = "公共收益公示"
        ordering = ["-period_start", "estate"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "period_start"], name="disclosure_unique_estate_period"),
            models.CheckConstraint(
                name="disclosure_period_ordered",
                condition=Q(period_end__gte=F("period_start")),
                violation_error_message="公示期间止不能早于起始日期。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.period_label}"

    @property
    def period_label(self) -> str:
        return periods.period_label(self.period_start, self.period_end)

    @property
    def is_late(self) -> bool:
        return self.posted_on > self.deadline


# ---------------------------------------------------------------------------------------------
# Audit and automatic checks


class RevenueEventKind(models.TextChoices):
    ACCOUNT = "account", "登记专门账户"
    SOURCE = "source", "登记经营项目"
    ENTRY = "entry", "登记收支"
    IMPORT = "import", "导入收支"
    DISCLOSURE = "disclosure", "登记公示"
    REVIEW = "review", "审阅公示"


class RevenueEvent(Event):
    """Audit row of every public-revenue write. Written by services only; never edited."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_events"
    )
    kind = models.CharField("类型", max_length=30, choices=RevenueEventKind.choices)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益操作记录"
        verbose_name_plural = "公共收益操作记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"


class CheckKind(models.TextChoices):
    NO_ACCOUNT = "no_account", "未开设公共收益专门账户"
    DISCLOSURE_OVERDUE = "disclosure_overdue", "逾期未公示公共收益收支情况"
    SOURCE_UNAPPROVED = "source_unapproved", "经营项目未经业主同意"
    SHARE_OVER_CAP = "share_over_cap", "企业提取管理成本超过上限"
    SPENDING_WITHOUT_BASIS = "spending_without_basis", "支出无合同约定或业主大会决议依据"
    INCOME_BELOW_CONTRACT = "income_below_contract", "入账收入少于合同约定"


class CheckFinding(models.Model):
    """One finding of the daily automatic checks. Unique per (estate, check, subject), so a
    finding is recorded — and its clue sent to the ledger — exactly once."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="revenue_findings"
    )
    check_kind = models.CharField("核查项目", max_length=30, choices=CheckKind.choices)
    subject_key = models.CharField("核查对象", max_length=50, blank=True, help_text="例如公示期间、经营项目编号")
    description = models.CharField("发现问题", max_length=300)
    case = models.ForeignKey(
        "rectification.Case", verbose_name="整改案件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_on = models.DateField("发现日期")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公共收益自动核查发现"
        verbose_name_plural = "公共收益自动核查发现"
        ordering = ["-found_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "check_kind", "subject_key"], name="revenue_finding_unique"),
        ]

    def __str__(self):
        return f"{self.estate} {self.get_check_kind_display()} {self.subject_key}"
