from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from core.scoping import ScopedQuerySet

from .names import estate_key


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县/区"
    TOWN = 4, "镇/街道"
    COMMUNITY = 5, "社区/村"


class RegionQuerySet(ScopedQuerySet):
    region_path_lookup = "path"

    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_enterprise_user and user.enterprise_id:
            # An enterprise user sees the regions of the estates it serves, and their ancestors
            # are not needed for any of its lists, so the communities are enough.
            return self.filter(estates__enterprise_id=user.enterprise_id).distinct()
        return super().visible_to(user)

    def towns(self):
        return self.filter(level=RegionLevel.TOWN)

    def communities(self):
        return self.filter(level=RegionLevel.COMMUNITY)


class Region(models.Model):
    """One node of the administrative tree (省 → 市 → 县/区 → 镇/街道 → 社区/村), keyed by its
    official division code (行政区划代码; 6 digits to county level, 9 for towns, 12 for
    communities). `path` is the chain of codes from the root, so a subtree is a prefix match."""

    code = models.CharField(
        "行政区划代码",
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}(\d{3})?)?$", "行政区划代码应为 6、9 或 12 位数字。")],
    )
    name = models.CharField("名称", max_length=50)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField("层级路径", max_length=120, unique=True, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path is derived from the parent's; it is kept here so that the admin, fixtures
        # and services cannot store a region whose subtree prefix is wrong.
        self.path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None and node.level >= RegionLevel.COUNTY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class OwnersBodyStatus(models.TextChoices):
    COMMITTEE = "committee", "已成立业主大会和业委会"
    ASSEMBLY_ONLY = "assembly_only", "已成立业主大会，未选举业委会"
    MANAGEMENT_COMMITTEE = "management_committee", "由物业管理委员会代行"
    NONE = "none", "未成立"


class ManagementType(models.TextChoices):
    ENTERPRISE = "enterprise", "物业服务企业管理"
    SELF = "self", "业主自治管理"
    NONE = "none", "无物业管理"


class ServiceLevel(models.TextChoices):
    LEVEL_1 = "1", "一级"
    LEVEL_2 = "2", "二级"
    LEVEL_3 = "3", "三级"
    LEVEL_4 = "4", "四级"
    LEVEL_5 = "5", "五级"


class EstateQuerySet(ScopedQuerySet):
    region_path_lookup = "community__path"
    enterprise_lookup = "enterprise_id"

    def with_regions(self):
        return self.select_related("community__parent", "enterprise")


class Estate(models.Model):
    """住宅小区: one estate under one community, with its serving enterprise and contract."""

    name = models.CharField("小区名称", max_length=100)
    community = models.ForeignKey(
        Region,
        verbose_name="所属社区",
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    address = models.CharField("地址", max_length=200, blank=True)
    building_count = models.PositiveIntegerField("楼栋数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    floor_area = models.DecimalField("建筑面积（平方米）", max_digits=12, decimal_places=2, null=True, blank=True)
    elevator_count = models.PositiveIntegerField("电梯数量", default=0)
    oldest_elevator_year = models.PositiveSmallIntegerField(
        "最早电梯投用年份",
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    ev_charging_ports = models.PositiveIntegerField("电动自行车充电端口数", default=0)
    management_type = models.CharField(
        "管理方式", max_length=20, choices=ManagementType.choices, default=ManagementType.ENTERPRISE
    )
    owners_body_status = models.CharField(
        "业主大会/业委会/物管会", max_length=30, choices=OwnersBodyStatus.choices, default=OwnersBodyStatus.NONE
    )
    owners_body_term_end = models.DateField("业委会/物管会任期届满", null=True, blank=True)
    has_party_organisation = models.BooleanField("已建立小区党组织", default=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="物业服务企业",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estates",
    )
    contract_start = models.DateField("合同开始日期", null=True, blank=True)
    contract_end = models.DateField("合同结束日期", null=True, blank=True)
    service_level = models.CharField("服务等级", max_length=2, choices=ServiceLevel.choices, blank=True)
    contract_filing_number = models.CharField("合同备案号", max_length=50, blank=True)

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = "住宅小区"
        verbose_name_plural = "住宅小区"
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name_in_community"),
            models.CheckConstraint(
                name="estate_contract_dates_ordered",
                condition=Q(contract_start__isnull=True) | Q(contract_end__isnull=True) | Q(contract_end__gte=models.F("contract_start")),
                violation_error_message="合同结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def town(self) -> Region:
        return self.community.parent


class EstateAlias(models.Model):
    """Another name of an estate, as outside systems write it (a 12345 export's 小区名称). Saved when
    a person matches an imported complaint to an estate, so the next file matches by itself.
    `key` is the name normalised as the importer compares names."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("别名", max_length=100)
    key = models.CharField("比对用名称", max_length=100, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "小区别名"
        verbose_name_plural = "小区别名"
        ordering = ["estate_id", "name"]
        constraints = [models.UniqueConstraint(fields=["estate", "key"], name="estate_alias_unique_key")]

    def __str__(self):
        return f"{self.name} → {self.estate_id}"

    def save(self, *args, **kwargs):
        # the key is how imports compare names; kept here so that the admin cannot store a stale one
        self.key = estate_key(self.name)
        super().save(*args, **kwargs)
