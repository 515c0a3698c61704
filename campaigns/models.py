from django.db import models
from django.db.models import F, Q

from communities import regions
from communities.models import Estate
from core.scoping import ScopedQuerySet


class SeedPlan(models.TextChoices):
    XIUNING = "xiuning", "休宁县方案"
    SHANXI = "shanxi", "山西省方案"
    ZHONGSHAN = "zhongshan", "钟山县方案"
    PANJIN = "panjin", "盘锦市方案"


class SubjectKind(models.TextChoices):
    """Whose violation a case is (责任主体): the 盘锦 plan's three layers plus the government units
    that check themselves (自查). Defined here, below rectification, so that a category can name its
    default and a case can carry it."""

    ENTERPRISE = "enterprise", "物业服务企业"
    DEVELOPER = "developer", "建设单位"
    COMMITTEE = "committee", "业主委员会（物业管理委员会）"
    GOVERNMENT = "government", "政府部门或镇（街道）、社区"


class ProblemCategory(models.Model):
    """整治内容: one node of the problem taxonomy, in the plan's own words. Data, editable by the
    working group; seeded by a data migration from the four plans."""

    code = models.CharField("编码", max_length=10, unique=True)
    label = models.CharField("问题类别", max_length=100)
    description = models.TextField("具体内容（方案原文）", blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级类别", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    seed_plans = models.JSONField("出自方案", default=list, blank=True)
    default_subject = models.CharField(
        "默认责任主体", max_length=20, choices=SubjectKind.choices, default=SubjectKind.ENTERPRISE,
        help_text="登记案件时的责任主体，县专班可在案件页变更。",
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别（整治内容）"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def seed_plan_labels(self) -> str:
        labels = dict(SeedPlan.choices)
        return "、".join(labels.get(p, p) for p in self.seed_plans)


class CampaignQuerySet(ScopedQuerySet):
    region_path_lookup = "region__path"

    def visible_to(self, user):
        """Everyone sees the campaigns of their own region and of the regions above it (a
        town works inside the county's campaign)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        region = user.region
        if user.is_enterprise_user:
            paths = Estate.objects.filter(enterprise_id=user.enterprise_id).values_list("community__path", flat=True)
            prefixes = {p for path in paths for p in regions.ancestors(path)}
            return self.filter(region__path__in=prefixes)
        if region is None:
            return self.none()
        return self.filter(Q(region__path__in=regions.ancestors(region.path)) | Q(region__path__startswith=region.path))


class Campaign(models.Model):
    """专项整治行动: a campaign of one jurisdiction with dates and stages."""

    name = models.CharField("行动名称", max_length=200)
    region = models.ForeignKey(
        "communities.Region", verbose_name="组织实施单位（行政区划）", on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    description = models.TextField("简介", blank=True)
    is_active = models.BooleanField("进行中", default=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "专项整治行动"
        verbose_name_plural = "专项整治行动"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                name="campaign_dates_ordered",
                condition=Q(end_date__gte=F("start_date")),
                violation_error_message="结束日期不能早于开始日期。",
            )
        ]

    def __str__(self):
        return self.name

    def stage_on(self, day):
        for stage in self.stages.all():
            if stage.start_date <= day <= stage.end_date:
                return stage
        return None


class StageKind(models.TextChoices):
    MOBILISATION = "mobilisation", "动员部署"
    CONCENTRATED = "concentrated", "集中整治"
    SUPERVISION = "supervision", "督导检查"
    CONSOLIDATION = "consolidation", "巩固提高"
    ACCOUNTABILITY = "accountability", "监督问责"


class CampaignStage(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name="专项整治行动", on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField("阶段", max_length=20, choices=StageKind.choices)
    title = models.CharField("阶段名称（方案原文）", max_length=100, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    tasks = models.TextField("主要任务", blank=True)

    class Meta:
        verbose_name = "行动阶段"
        verbose_name_plural = "行动阶段"
        ordering = ["campaign", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="campaign_stage_unique_kind"),
            models.CheckConstraint(
                name="campaign_stage_dates_ordered",
                condition=Q(end_date__gte=F("start_date")),
                violation_error_message="结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()
