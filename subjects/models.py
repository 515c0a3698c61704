"""The subjects of a case other than the property enterprise (盘锦's three layers): developers
(建设单位) with their projects and the seven obligations per project, owners' committees
(业主委员会 / 物业管理委员会) with their members, and government units (departments and towns that
check themselves). Also the coverage targets the plans set (盘锦 95 %, 钟山 85 %), as data per region.

The committee register is the one source of truth of an estate's owners' body: the estate's
owners_body_status, owners_body_term_end and (where it has a committee) has_party_organisation are a
copy written only by subjects.services.estate_owners_body_sync after every committee change (kept
on Estate for its list, export, API and the coverage figures' drill-down filters)."""

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from campaigns.models import SeedPlan
from core.audit import Event
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet
from enterprises.validators import validate_credit_code

from .obligations import Obligation


class DeveloperQuerySet(ScopedQuerySet):
    region_path_lookup = "region__path"

    def visible_to(self, user):
        """A developer is seen by the region that registered it and by every region where one of
        its projects has an estate (a county-registered developer is seen by the towns it builds in)."""
        base = super().visible_to(user)
        if user is None or not user.is_authenticated or user.sees_everything or user.is_enterprise_user:
            return base
        if not user.region_id:
            return base
        building_here = DeveloperProject.objects.filter(
            developer_id=OuterRef("pk"), estates__community__path__startswith=user.region.path
        )
        return self.filter(Q(pk__in=base.values("pk")) | Q(Exists(building_here)))


class Developer(models.Model):
    """建设单位: the developer of one or more projects (楼盘)."""

    name = models.CharField("建设单位名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(
        "communities.Region", verbose_name="登记单位（行政区划）", on_delete=models.PROTECT, related_name="developers"
    )
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = DeveloperQuerySet.as_manager()

    class Meta:
        verbose_name = "建设单位"
        verbose_name_plural = "建设单位"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class DeveloperProjectQuerySet(ScopedThroughQuerySet):
    scope_through = "developer"


class DeveloperProject(models.Model):
    """One project (开发项目) of a developer and the estates it built."""

    developer = models.ForeignKey(Developer, verbose_name="建设单位", on_delete=models.PROTECT, related_name="projects")
    name = models.CharField("项目名称", max_length=200)
    estates = models.ManyToManyField("communities.Estate", verbose_name="涉及小区", related_name="developer_projects",
                                     blank=True)
    delivered_on = models.DateField("交付日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    objects = DeveloperProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "开发项目"
        verbose_name_plural = "开发项目"
        ordering = ["developer", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["developer", "name"], name="developer_project_unique_name")]

    def __str__(self):
        return self.name


class ProjectObligation(models.Model):
    """One of the seven 盘锦 obligations of a project: done or not, when, and a note."""

    project = models.ForeignKey(DeveloperProject, verbose_name="开发项目", on_delete=models.CASCADE,
                                related_name="obligations")
    item = models.CharField("义务事项", max_length=20, choices=Obligation.choices)
    is_done = models.BooleanField("已履行", default=False)
    done_on = models.DateField("履行日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "建设单位义务"
        verbose_name_plural = "建设单位义务清单"
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="project_obligation_unique_item"),
            models.CheckConstraint(name="project_obligation_date_when_done",
                                   condition=Q(is_done=True) | Q(done_on__isnull=True),
                                   violation_error_message="未履行的事项不能填写履行日期。"),
        ]

    def __str__(self):
        return self.get_item_display()


class CommitteeKind(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"
    MANAGEMENT_COMMITTEE = "management_committee", "物业管理委员会"


class OwnersCommitteeQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "estate__enterprise_id"

    def current(self):
        return self.filter(is_current=True)

    def renewal_due(self, *, today, days: int):
        """Current committees whose term ends within `days` (换届 due)."""
        return self.current().filter(term_end__gte=today, term_end__lte=today + timedelta(days=days))

    def renewal_overdue(self, *, today):
        """Current committees whose term has ended (换届 overdue)."""
        return self.current().filter(term_end__lt=today)


class OwnersCommittee(models.Model):
    """业主委员会 or 物业管理委员会 of one estate. At most one current committee per estate; a
    committee replaced at 换届 stays as history (is_current False)."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT,
                               related_name="owners_committees")
    kind = models.CharField("类型", max_length=30, choices=CommitteeKind.choices, default=CommitteeKind.OWNERS_COMMITTEE)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    has_seal = models.BooleanField("已刻制、备案印章", default=False)
    # nullable only for the rows migrated from the estates' former columns, whose dates may be
    # unknown; the service requires both for every committee it records
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    has_party_organisation = models.BooleanField("已建立党组织", default=False)
    is_current = models.BooleanField("本届（现任）", default=True)
    # claim column of the daily 换届 check: the term end whose due / overdue case has been opened
    renewal_due_recorded_for = models.DateField("已登记换届提醒的届满日", null=True, blank=True, editable=False)
    renewal_overdue_recorded_for = models.DateField("已登记逾期换届的届满日", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OwnersCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = "业委会（物管会）"
        verbose_name_plural = "业委会（物管会）"
        ordering = ["estate__community__path", "estate__name", "-term_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["estate"], condition=Q(is_current=True), name="committee_one_current_per_estate"),
            models.CheckConstraint(name="committee_term_ordered", condition=Q(term_start__isnull=True) | Q(term_end__isnull=True)
                                   | Q(term_end__gte=models.F("term_start")),
                                   violation_error_message="任期届满日期不能早于开始日期。"),
        ]

    def __str__(self):
        return f"{self.estate.name if self.estate_id else ''}{self.get_kind_display()}"


class MemberRole(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"
    ALTERNATE = "alternate", "候补委员"


class CommitteeMemberQuerySet(ScopedThroughQuerySet):
    scope_through = "committee"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(OwnersCommittee, verbose_name="业委会（物管会）", on_delete=models.CASCADE,
                                  related_name="members")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    term_start = models.DateField("任期开始", null=True, blank=True)
    term_end = models.DateField("任期届满", null=True, blank=True)
    is_party_member = models.BooleanField("中共党员", default=False)

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "委员"
        verbose_name_plural = "委员"
        ordering = ["committee", "role", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "监管部门"
    TOWN = "town", "镇（街道）"
    COMMUNITY = "community", "社区（村）"


class GovernmentUnitQuerySet(ScopedQuerySet):
    region_path_lookup = "region__path"


class GovernmentUnit(models.Model):
    """A government unit that checks itself (盘锦（一）自查): a county's department (住建、城管执法、
    市场监管 …) or a town / community, as the subject of a J case."""

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    region = models.ForeignKey("communities.Region", verbose_name="所属行政区划", on_delete=models.PROTECT,
                               related_name="government_units")

    objects = GovernmentUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "政府部门、镇（街道）"
        verbose_name_plural = "政府部门、镇（街道）"
        ordering = ["region__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="government_unit_unique_name")]

    def __str__(self):
        return self.name


class CoverageFigure(models.TextChoices):
    COMMITTEE = "committee_coverage", "业主大会/业委会（物业管理委员会）覆盖率"
    MANAGEMENT = "management_coverage", "物业管理覆盖率"
    PARTY_OF_COMMITTEES = "party_coverage_committees", "党组织覆盖率（按业委会、物管会计）"
    PARTY_OF_ESTATES = "party_coverage_estates", "党组织覆盖率（按小区计）"


class CoverageTarget(models.Model):
    """A plan's coverage target for a region and everything below it (the nearest region up the
    tree with a target applies)."""

    region = models.ForeignKey("communities.Region", verbose_name="行政区划", on_delete=models.PROTECT,
                               related_name="coverage_targets")
    figure = models.CharField("指标", max_length=40, choices=CoverageFigure.choices)
    percent = models.DecimalField("目标（%）", max_digits=5, decimal_places=1,
                                  validators=[MinValueValidator(0), MaxValueValidator(100)])
    plan = models.CharField("出自方案", max_length=20, choices=SeedPlan.choices)
    wording = models.CharField("方案原文", max_length=300, blank=True)

    class Meta:
        verbose_name = "覆盖率目标"
        verbose_name_plural = "覆盖率目标"
        ordering = ["region__path", "figure"]
        constraints = [
            models.UniqueConstraint(fields=["region", "figure"], name="coverage_target_unique"),
            models.CheckConstraint(name="coverage_target_percent_range", condition=Q(percent__gte=0) & Q(percent__lte=100),
                                   violation_error_message="目标应在 0 到 100 之间。"),
        ]

    def __str__(self):
        return f"{self.region} {self.get_figure_display()} {self.percent}%"


class SubjectEventQuerySet(ScopedQuerySet):
    region_path_lookup = "region_path"


class SubjectEvent(Event):
    """The audit log of the registers (a developer, project, committee or its members changed)."""

    record_type = models.CharField("登记类型", max_length=30)
    record_id = models.PositiveBigIntegerField("登记记录ID")
    region_path = models.CharField("区划路径", max_length=120)

    objects = SubjectEventQuerySet.as_manager()

    class Meta:
        verbose_name = "登记记录日志"
        verbose_name_plural = "登记记录日志"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="subject_event_record")]

    def __str__(self):
        return f"{self.record_type} {self.record_id} {self.kind}"

