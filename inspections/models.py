"""Inspection ledgers (排查台账) and spot checks (四不两直): rounds with their checklist, visits to
estates with one line per checklist item, photos, and the stored spot-check draws."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.capabilities import can
from communities import regions
from communities.models import Estate
from core.audit import Event
from core.files import StoredFile, private_file_field, random_name
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet
from rectification.models import Case


class AreaQuerySet(ScopedQuerySet):
    """Rows that belong to an area (a region) rather than to one estate: a user sees those of the
    regions above theirs (a community works inside the county's round) and inside their subtree;
    an enterprise user sees those whose area contains one of its estates."""

    region_path_lookup = "region__path"

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.is_enterprise_user:
            paths = Estate.objects.filter(enterprise_id=user.enterprise_id).values_list("community__path", flat=True)
            prefixes = {p for path in paths for p in regions.ancestors(path)}
            return self.filter(region__path__in=prefixes)
        if not user.region_id:
            return self.none()
        path = user.region.path
        return self.filter(Q(region__path__in=regions.ancestors(path)) | Q(region__path__startswith=path))


class InspectionRound(models.Model):
    """排查轮次: one round of inspection of every estate of an area, with its own checklist."""

    name = models.CharField("轮次名称", max_length=200)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="专项整治行动", on_delete=models.PROTECT, null=True, blank=True,
        related_name="inspection_rounds",
    )
    region = models.ForeignKey(
        "communities.Region", verbose_name="排查范围（行政区划）", on_delete=models.PROTECT, related_name="inspection_rounds"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "排查轮次"
        verbose_name_plural = "排查轮次"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="inspection_round_dates_ordered",
                condition=Q(end_date__gte=models.F("start_date")),
                violation_error_message="结束日期不能早于开始日期。",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def status_label(self) -> str:
        today = timezone.localdate()
        if today < self.start_date:
            return "未开始"
        if today > self.end_date:
            return "已结束"
        return "进行中"

    @property
    def is_running(self) -> bool:
        return self.start_date <= timezone.localdate() <= self.end_date


class ChecklistItem(models.Model):
    """检查清单的一项: built from one taxonomy category, in the plan's wording, editable per round."""

    round = models.ForeignKey(InspectionRound, verbose_name="排查轮次", on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(
        "campaigns.ProblemCategory", verbose_name="问题类别", on_delete=models.PROTECT, related_name="+"
    )
    group_label = models.CharField("分组", max_length=100, blank=True)
    label = models.CharField("检查内容", max_length=200)
    description = models.TextField("具体内容（方案原文）", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检查清单项"
        verbose_name_plural = "检查清单"
        ordering = ["round", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="checklist_item_unique_category")]

    def __str__(self):
        return self.label


class VisitKind(models.TextChoices):
    INSPECTION = "inspection", "排查"
    SELF_CHECK = "self_check", "企业自查"
    SPOT_CHECK = "spot_check", "四不两直抽查"


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


#: visit kinds that count towards a round's coverage (visits by officers, not the enterprise's own)
COVERAGE_KINDS = (VisitKind.INSPECTION, VisitKind.SPOT_CHECK)


class VisitQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "estate__enterprise_id"

    def visible_to(self, user):
        qs = super().visible_to(user)
        # 四不两直 is unannounced: only the working group (and those above it, read-only) may see a
        # draw, or a spot check not yet submitted, before the visit happens
        if user is not None and user.is_authenticated and not can(user, "spot_check.view_in_advance"):
            qs = qs.exclude(kind=VisitKind.SPOT_CHECK, status=VisitStatus.DRAFT)
        return qs

    def submitted(self):
        return self.filter(status=VisitStatus.SUBMITTED)


class Visit(models.Model):
    """排查记录: one visit to one estate. A draft can be edited and opens nothing; submitting it
    (inspections.services.visit_save) opens or joins a case for each 不合格 line."""

    kind = models.CharField("类型", max_length=20, choices=VisitKind.choices, default=VisitKind.INSPECTION)
    status = models.CharField("状态", max_length=20, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    round = models.ForeignKey(
        InspectionRound, verbose_name="排查轮次", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    spot_draw = models.ForeignKey(
        "SpotCheckDraw", verbose_name="抽查批次", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="inspection_visits"
    )
    visited_on = models.DateField("排查日期", default=timezone.localdate)
    inspectors = models.CharField("排查人员", max_length=200, blank=True)
    enterprise_representative = models.CharField("企业代表", max_length=100, blank=True)
    note = models.TextField("总体情况", blank=True)
    is_imported = models.BooleanField("台账导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "排查记录"
        verbose_name_plural = "排查记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["round", "status", "kind"], name="visit_round_status_kind"),
            models.Index(fields=["estate", "visited_on"], name="visit_estate_date"),
        ]

    def __str__(self):
        return f"{self.number} {self.estate.name if self.estate_id else ''}"

    @property
    def number(self) -> str:
        prefix = {VisitKind.INSPECTION: "PC", VisitKind.SELF_CHECK: "ZC", VisitKind.SPOT_CHECK: "CC"}.get(self.kind, "PC")
        return f"{prefix}{self.created_at:%Y}-{self.pk or 0:06d}"

    @property
    def cases(self):
        """The cases this visit's 不合格 lines opened or joined."""
        return Case.objects.filter(inspection_lines__visit=self).distinct()

    @property
    def is_draft(self) -> bool:
        return self.status == VisitStatus.DRAFT


class LineResult(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "na", "不适用"


class VisitLine(models.Model):
    """One checklist line of a visit. A submitted 不合格 line points at the case it opened or joined."""

    visit = models.ForeignKey(Visit, verbose_name="排查记录", on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        ChecklistItem, verbose_name="检查清单项", on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    category = models.ForeignKey(
        "campaigns.ProblemCategory", verbose_name="问题类别", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("结果", max_length=10, choices=LineResult.choices, blank=True)
    note = models.TextField("问题描述/说明", blank=True)
    measures = models.TextField("整改措施", blank=True)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    case = models.ForeignKey(
        "rectification.Case", verbose_name="整改案件", on_delete=models.PROTECT, null=True, blank=True,
        related_name="inspection_lines",
    )
    #: fingerprint of the ledger row this line was imported from; a re-import finds it and adds nothing
    import_key = models.CharField("导入指纹", max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "排查结果"
        verbose_name_plural = "排查结果"
        ordering = ["visit", "item__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "category"], name="visit_line_unique_category")]

    def __str__(self):
        return f"{self.category_id} {self.get_result_display()}"


def _photo_path(instance, filename):
    """Named by migration 0001; files are named by core.files.RandomName."""
    return random_name("inspections", filename)


class VisitPhotoQuerySet(ScopedThroughQuerySet):
    scope_through = "line__visit"


class VisitPhoto(StoredFile):
    line = models.ForeignKey(VisitLine, verbose_name="排查结果", on_delete=models.CASCADE, related_name="photos")
    file = private_file_field("照片")

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["uploaded_at", "id"]


class SpotCheckDrawQuerySet(AreaQuerySet):
    def visible_to(self, user):
        if not can(user, "spot_check.view_in_advance"):
            return self.none()
        return super().visible_to(user)


class SpotCheckDraw(models.Model):
    """四不两直抽查批次: a stored, reproducible weighted draw of estates. The candidates with their
    weights, the seed and the sample are kept so anyone can re-run and audit the draw."""

    region = models.ForeignKey(
        "communities.Region", verbose_name="抽查范围（行政区划）", on_delete=models.PROTECT, related_name="spot_draws"
    )
    round = models.ForeignKey(
        InspectionRound, verbose_name="排查轮次", on_delete=models.PROTECT, null=True, blank=True, related_name="spot_draws"
    )
    sample_size = models.PositiveIntegerField("抽取数量")
    seed = models.BigIntegerField("随机种子")
    window_days = models.PositiveIntegerField("统计期（天）", default=90)
    exclude_recent_days = models.PositiveIntegerField("排除近期已检查（天）", default=0, help_text="0 表示不排除")
    weight_formula = models.CharField("权重公式", max_length=200)
    note = models.TextField("说明", blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间", default=timezone.now)

    objects = SpotCheckDrawQuerySet.as_manager()

    class Meta:
        verbose_name = "四不两直抽查"
        verbose_name_plural = "四不两直抽查"
        ordering = ["-drawn_at", "-id"]

    def __str__(self):
        return f"{self.region.name} {self.drawn_at:%Y-%m-%d} 抽查 {self.sample_size} 个"


class SpotCheckCandidate(models.Model):
    """One estate of a draw's area with its weight and the signals behind it; `position` is its
    place in the sample (1, 2, …) or null if not drawn."""

    draw = models.ForeignKey(SpotCheckDraw, verbose_name="抽查批次", on_delete=models.CASCADE, related_name="candidates")
    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField("权重")
    signals = models.JSONField("权重依据", default=dict)
    excluded_reason = models.CharField("排除原因", max_length=100, blank=True)
    position = models.PositiveIntegerField("抽中顺序", null=True, blank=True)

    class Meta:
        verbose_name = "抽查候选小区"
        verbose_name_plural = "抽查候选小区"
        ordering = ["draw", "position", "-weight", "estate_id"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "estate"], name="spot_candidate_unique_estate"),
            models.UniqueConstraint(fields=["draw", "position"], name="spot_candidate_unique_position"),
        ]

    def __str__(self):
        return f"{self.estate_id} ×{self.weight}"

    @property
    def is_selected(self) -> bool:
        return self.position is not None


class InspectionEventKind(models.TextChoices):
    ROUND_CREATED = "round_created", "发起排查轮次"
    CHECKLIST_CHANGED = "checklist_changed", "修改检查清单"
    VISIT_SAVED = "visit_saved", "保存排查记录"
    VISIT_SUBMITTED = "visit_submitted", "提交排查记录"
    SPOT_CHECK_DRAWN = "spot_check_drawn", "四不两直抽取"


class InspectionEvent(Event):
    """The audit trail of the inspections app: a round opened or its checklist changed, a visit
    saved or submitted, a spot-check draw made. Written only by inspections.services; never
    edited or deleted. The cases a visit opens are logged on their own timelines."""

    kind = models.CharField("类型", max_length=30, choices=InspectionEventKind.choices)
    round = models.ForeignKey(InspectionRound, verbose_name="排查轮次", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="events")
    visit = models.ForeignKey(Visit, verbose_name="排查记录", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="events")
    draw = models.ForeignKey(SpotCheckDraw, verbose_name="抽查批次", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="events")

    class Meta:
        verbose_name = "排查操作记录"
        verbose_name_plural = "排查操作记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
