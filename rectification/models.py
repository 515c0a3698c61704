"""The rectification ledger (整改台账): cases from clue to closure, their clues, timeline events,
attachments, supervision actions, estate plans (一小区一方案) and typical cases (典型案例)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from accounts.models import Role
from campaigns.models import SubjectKind
from core.audit import Event
from core.files import StoredFile, private_file_field, random_name
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet


class CaseState(models.TextChoices):
    PENDING_VERIFICATION = "pending_verification", "待核查"
    VERIFYING = "verifying", "核查中"
    NOT_TRUE = "not_true", "不属实"
    RECTIFYING = "rectifying", "整改中"
    PENDING_CLOSURE = "pending_closure", "待销号"
    CLOSED = "closed", "已销号"
    WITHDRAWN = "withdrawn", "已撤销"


OPEN_STATES = (
    CaseState.PENDING_VERIFICATION,
    CaseState.VERIFYING,
    CaseState.RECTIFYING,
    CaseState.PENDING_CLOSURE,
)


class VerificationResult(models.TextChoices):
    TRUE = "true", "属实"
    PARTLY_TRUE = "partly_true", "部分属实"
    NOT_TRUE = "not_true", "不属实"


class ClueSource(models.TextChoices):
    COMPLAINT = "complaint", "投诉举报"  # 12345, 信访, 民生热线, public form, QR code …
    INSPECTION = "inspection", "排查发现"
    SELF_CHECK = "self_check", "企业自查"
    SPOT_CHECK = "spot_check", "四不两直抽查"
    AUTO_CHECK = "auto_check", "系统自动核查"
    OTHER = "other", "其他"


def _today() -> date:
    return timezone.localdate()


class CaseQuerySet(ScopedQuerySet):
    region_path_lookup = "region_path"
    enterprise_lookup = "enterprise_id"

    def visible_to(self, user):
        """Discipline inspection (纪检监察) sees only the corruption clues of its region; an
        enterprise only the cases whose responsible subject it is (not a developer's or a
        committee's case at an estate it serves)."""
        qs = super().visible_to(user)
        if user is not None and user.is_authenticated and not user.sees_everything and user.role == Role.DISCIPLINE:
            qs = qs.filter(is_corruption_clue=True)
        if user is not None and user.is_authenticated and user.is_enterprise_user:
            qs = qs.filter(subject_kind=SubjectKind.ENTERPRISE)
        return qs

    def of_enterprises(self):
        """The cases that count for their enterprise (credit rules, red/black evaluation, its
        pages): those whose responsible subject is the property enterprise."""
        return self.filter(subject_kind=SubjectKind.ENTERPRISE, enterprise__isnull=False)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: date | None = None):
        return self.open().filter(deadline__lt=today or _today())

    def due_within(self, days: int, today: date | None = None):
        today = today or _today()
        return self.open().filter(deadline__gte=today, deadline__lte=today + timedelta(days=days))

    def with_overdue(self, today: date | None = None):
        return self.annotate(
            is_overdue_db=models.Case(
                When(Q(state__in=OPEN_STATES, deadline__lt=today or _today()), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def with_supervision(self):
        active = SupervisionAction.objects.filter(
            case_id=OuterRef("pk"), kind=SupervisionKind.LISTED_SUPERVISION, lifted_at__isnull=True
        )
        return self.annotate(is_listed=Exists(active))

    def for_ledger(self):
        return (
            self.select_related("estate__community__parent", "enterprise", "category", "campaign", "verifying_unit")
            .with_overdue()
            .with_supervision()
        )


class Case(models.Model):
    """整改案件: one problem at one estate, of one taxonomy category, in one campaign. State only
    changes through rectification.services.case_transition, which bumps `version`."""

    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="cases"
    )
    # Denormalised community path of the estate, set at creation: scoping is a prefix match on
    # an indexed column instead of a join through estate → community at province scale.
    region_path = models.CharField("区划路径", max_length=120, editable=False)  # indexed in Meta (LIKE 'prefix%')
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="物业服务企业",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    category = models.ForeignKey(
        "campaigns.ProblemCategory", verbose_name="问题类别", on_delete=models.PROTECT, related_name="cases"
    )
    # 责任主体: whose violation this is. Only a case of the enterprise counts in its credit and
    # evaluation; the others name their developer, committee or government unit (string references:
    # the subjects app sits above rectification). db_default: the intake writes rows with COPY.
    subject_kind = models.CharField(
        "责任主体类型", max_length=20, choices=SubjectKind.choices, default=SubjectKind.ENTERPRISE,
        db_default=SubjectKind.ENTERPRISE,
    )
    developer = models.ForeignKey(
        "subjects.Developer", verbose_name="建设单位", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases",
    )
    owners_committee = models.ForeignKey(
        "subjects.OwnersCommittee", verbose_name="业委会（物管会）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases",
    )
    government_unit = models.ForeignKey(
        "subjects.GovernmentUnit", verbose_name="政府部门、镇（街道）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name="专项整治行动",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    description = models.TextField("问题描述")
    source = models.CharField("来源", max_length=20, choices=ClueSource.choices, default=ClueSource.OTHER)
    state = models.CharField(
        "整改状态", max_length=30, choices=CaseState.choices, default=CaseState.PENDING_VERIFICATION, db_index=True
    )
    version = models.PositiveIntegerField("版本", default=1)
    complainant_count = models.PositiveIntegerField("投诉人数", default=0)
    is_corruption_clue = models.BooleanField("腐败问题线索", default=False)

    verifying_unit = models.ForeignKey(
        "communities.Region",
        verbose_name="核查单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifying_cases",
    )
    verifying_person = models.CharField("核查人", max_length=50, blank=True)
    verification_result = models.CharField(
        "核查结果", max_length=20, choices=VerificationResult.choices, blank=True
    )
    verification_note = models.TextField("核查情况", blank=True)

    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    measures = models.TextField("整改措施", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True, db_index=True)
    # Claim column of the daily overdue job: the deadline whose overdue episode has been recorded.
    overdue_recorded_for_deadline = models.DateField("已记录超期的时限", null=True, blank=True, editable=False)

    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)  # indexed with id in Meta
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "整改案件"
        verbose_name_plural = "整改台账"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "category", "state"], name="case_estate_category_state"),
            # the ledger's and the API's order: no sort step, and a deep page's ids from the index alone
            models.Index(fields=["-created_at", "-id"], name="case_created_id_desc"),
            # 超期: only open cases with a passed deadline (the overdue filter and the daily job)
            models.Index(fields=["deadline"], name="case_open_deadline", condition=Q(state__in=OPEN_STATES)),
            # scoping is `region_path LIKE 'prefix%'`: the default collation's index cannot serve it
            models.Index(fields=["region_path"], name="case_region_path_prefix", opclasses=["varchar_pattern_ops"]),
            # closed per month (the dashboard's trend and its nightly summary)
            models.Index(fields=["closed_at"], name="case_closed_at", condition=Q(state="closed")),
        ]

    def __str__(self):
        return f"{self.number} {self.estate.name if self.estate_id else ''} {self.category.label if self.category_id else ''}"

    @property
    def number(self) -> str:
        return f"ZG{self.created_at:%Y}-{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_enterprise_subject(self) -> bool:
        return self.subject_kind == SubjectKind.ENTERPRISE

    @property
    def subject_name(self) -> str:
        """The responsible subject, as the ledger and the case page name it."""
        subject = {
            SubjectKind.ENTERPRISE: self.enterprise if self.enterprise_id else None,
            SubjectKind.DEVELOPER: self.developer if self.developer_id else None,
            SubjectKind.COMMITTEE: self.owners_committee if self.owners_committee_id else None,
            SubjectKind.GOVERNMENT: self.government_unit if self.government_unit_id else None,
        }.get(self.subject_kind)
        return str(subject) if subject is not None else f"{self.get_subject_kind_display()}（未指定）"

    @property
    def is_overdue(self) -> bool:
        annotated = getattr(self, "is_overdue_db", None)
        if annotated is not None:
            return annotated
        return self.is_open and self.deadline is not None and self.deadline < _today()

    @property
    def days_overdue(self) -> int:
        if not self.is_overdue:
            return 0
        return (_today() - self.deadline).days


class CaseClueQuerySet(ScopedQuerySet):
    region_path_lookup = "case__region_path"
    enterprise_lookup = "case__enterprise_id"

    def visible_to(self, user):
        """The clues of the cases the user sees (discipline inspection: corruption clues only; an
        enterprise: the clues of its own cases)."""
        qs = super().visible_to(user)
        if user is not None and user.is_authenticated and not user.sees_everything and user.role == Role.DISCIPLINE:
            qs = qs.filter(case__is_corruption_clue=True)
        if user is not None and user.is_authenticated and user.is_enterprise_user:
            qs = qs.filter(case__subject_kind=SubjectKind.ENTERPRISE)
        return qs


class CaseClue(models.Model):
    """线索: one source a case was opened or joined from. The later complaints and inspection
    apps point back at their own rows through (source_app_label, source_object_id)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="clues")
    source = models.CharField("来源", max_length=20, choices=ClueSource.choices)
    reference = models.CharField("来源编号/说明", max_length=200, blank=True, help_text="例如 12345 工单号、信访件编号")
    description = models.TextField("线索内容", blank=True)
    source_app_label = models.CharField("来源模块", max_length=50, blank=True)
    source_object_id = models.CharField("来源记录ID", max_length=50, blank=True)
    complainant_count = models.PositiveIntegerField("投诉人数", default=0)
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = CaseClueQuerySet.as_manager()

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["source_app_label", "source_object_id"], name="clue_source_object"),
            models.Index(fields=["received_at"], name="clue_received_at"),  # the dashboard's monthly trend
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.reference}"


class CaseEventKind(models.TextChoices):
    CREATED = "created", "登记"
    CLUE_JOINED = "clue_joined", "并案（多人同诉）"
    TRANSITION = "transition", "状态变更"
    ACTION = "action", "办理"
    SUPERVISION = "supervision", "督办"
    SUPERVISION_LIFTED = "supervision_lifted", "解除挂牌督办"
    OVERDUE = "overdue", "超期"
    TYPICAL = "typical", "典型案例"
    DOCUMENT = "document", "出具文书"


class CaseEvent(Event):
    """One entry of a case's timeline. Written only by services; never edited or deleted."""

    # indexed by case_event_case_kind, whose first column it is
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField("类型", max_length=30, choices=CaseEventKind.choices)
    transition = models.CharField("操作", max_length=30, blank=True)
    label = models.CharField("操作名称", max_length=50, blank=True)
    from_state = models.CharField("原状态", max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=30, choices=CaseState.choices, blank=True)

    class Meta:
        verbose_name = "案件记录"
        verbose_name_plural = "案件记录（时间线）"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="case_event_case_kind")]

    def __str__(self):
        return f"{self.case_id} {self.label or self.get_kind_display()}"


def _attachment_path(instance, filename):
    """Named by migration 0001; files are named by core.files.RandomName."""
    return random_name("rectification", filename)


_supervision_path = _attachment_path


class CaseFileQuerySet(ScopedThroughQuerySet):
    scope_through = "case"


class CaseAttachment(StoredFile):
    """整改佐证材料 and other files of a case, attached to the event that brought them."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, verbose_name="案件记录", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    # wider than StoredFile's: a generated document's type (.docx) is 71 characters
    content_type = models.CharField("文件类型", max_length=100)

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]


class SupervisionKind(models.TextChoices):
    INTERVIEW = "interview", "约谈"
    LISTED_SUPERVISION = "listed_supervision", "挂牌督办"
    ONSITE_VISIT = "onsite_visit", "实地督导"
    RECTIFICATION_ORDER = "rectification_order", "责令限期改正"
    PENALTY = "penalty", "行政处罚"
    TRANSFER = "transfer", "移送"
    BLACKLIST_NOMINATION = "blacklist_nomination", "黑名单提名"


class SupervisionLevel(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"


class TransferTarget(models.TextChoices):
    MARKET_REGULATION = "market_regulation", "市场监管"
    FIRE = "fire", "消防"
    POLICE = "police", "公安"
    DISCIPLINE = "discipline", "纪检监察"


class SupervisionAction(models.Model):
    """督办: one escalation step the working group took on a case. Which fields are required
    depends on the kind (see rectification.services.SUPERVISION_REQUIRED)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField("督办方式", max_length=30, choices=SupervisionKind.choices)
    occurred_on = models.DateField("日期")
    participants = models.CharField("对象/参加人员", max_length=200, blank=True)
    outcome = models.TextField("情况/结果", blank=True)
    minutes_file = private_file_field("约谈记录/文书", app="rectification", blank=True)
    minutes_file_name = models.CharField("约谈记录原文件名", max_length=200, blank=True)
    level = models.CharField("督办级别", max_length=10, choices=SupervisionLevel.choices, blank=True)
    deadline = models.DateField("督办时限", null=True, blank=True)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=100, blank=True)
    amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    basis = models.TextField("依据", blank=True)
    transfer_target = models.CharField("移送单位", max_length=30, choices=TransferTarget.choices, blank=True)
    receipt_file = private_file_field("移送回执", app="rectification", blank=True)
    receipt_file_name = models.CharField("移送回执原文件名", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["occurred_on", "id"]
        indexes = [
            # is_listed (挂牌督办 not lifted), asked for every ledger row
            models.Index(fields=["case"], name="supervision_listed_open",
                         condition=Q(kind="listed_supervision", lifted_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                name="supervision_amount_not_negative",
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                violation_error_message="罚款金额不能为负数。",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已审定"
    PUBLISHED = "published", "已公开"


class EstatePlanQuerySet(ScopedQuerySet):
    region_path_lookup = "estate__community__path"
    enterprise_lookup = "estate__enterprise_id"


class EstatePlan(models.Model):
    """一小区一方案: the working group's plan for one estate, covering its open cases."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="plans")
    title = models.CharField("方案名称", max_length=200)
    content = models.TextField("方案内容")
    cases = models.ManyToManyField(Case, verbose_name="涉及案件", related_name="plans", blank=True)
    status = models.CharField("状态", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审定人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    objects = EstatePlanQuerySet.as_manager()

    class Meta:
        verbose_name = "一小区一方案"
        verbose_name_plural = "一小区一方案"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class PlanEventKind(models.TextChoices):
    CREATED = "created", "编制方案"
    APPROVED = "approved", "审定方案"
    PUBLISHED = "published", "公开方案"


class PlanEvent(Event):
    """The log of an estate plan (一小区一方案): drafted, approved, published. Written only by
    rectification.services; never edited or deleted."""

    plan = models.ForeignKey(EstatePlan, verbose_name="方案", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("类型", max_length=30, choices=PlanEventKind.choices)

    class Meta:
        verbose_name = "方案操作记录"
        verbose_name_plural = "方案操作记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class TypicalCaseQuerySet(ScopedQuerySet):
    region_path_lookup = "case__region_path"
    enterprise_lookup = "case__enterprise_id"

    def visible_to(self, user):
        qs = super().visible_to(user)
        if user is not None and user.is_authenticated and user.is_enterprise_user:
            qs = qs.filter(case__subject_kind=SubjectKind.ENTERPRISE)  # its own cases only
        return qs


class TypicalCase(models.Model):
    """典型案例: a case selected as typical, with the four parts the bureau publishes."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="typical")
    title = models.CharField("案例标题", max_length=200)
    basic_facts = models.TextField("基本案情")
    violation = models.TextField("违法违规情形")
    legal_basis = models.TextField("法律依据")
    handling_result = models.TextField("处理结果")
    is_published = models.BooleanField("已通报曝光", default=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="选定人", on_delete=models.PROTECT, related_name="+"
    )
    selected_at = models.DateTimeField("选定时间", auto_now_add=True)

    objects = TypicalCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "典型案例"
        verbose_name_plural = "典型案例"
        ordering = ["-selected_at", "-id"]

    def __str__(self):
        return self.title


# ---------------------------------------------------------------------------------------------
# Printable documents (文书): generated from a case as .docx, numbered per county, kind and year


class DocumentKind(models.TextChoices):
    RECTIFICATION_NOTICE = "rectification_notice", "整改通知书"
    SUPERVISION_LETTER = "supervision_letter", "督办函"
    INTERVIEW_NOTICE = "interview_notice", "约谈通知书"
    CORRECTION_ORDER = "correction_order", "责令限期改正通知书"


class DocumentTemplateQuerySet(ScopedQuerySet):
    """A county's templates: its own staff and the city above it; towns and enterprises none."""

    region_path_lookup = "county__path"


class DocumentTemplate(models.Model):
    """文书模板: one county's wording of one kind of document. Without a row the county uses the
    defaults of rectification.documents.DEFAULTS. The text blocks may name the case's facts in
    braces (rectification.documents.PLACEHOLDERS); other braces are left as written."""

    county = models.ForeignKey(
        "communities.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="document_templates"
    )
    kind = models.CharField("文书类型", max_length=30, choices=DocumentKind.choices)
    issuing_unit = models.CharField("发文单位（文头）", max_length=100, help_text="例如：休宁县住房和城乡建设局")
    number_prefix = models.CharField("文号前缀", max_length=20, help_text="例如：休物整通，文号为 休物整通〔2026〕12号")
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送", max_length=200, help_text="例如：{物业服务企业}")
    body = models.TextField("正文", help_text="每段一行；可使用 {小区}、{完成时限} 等占位符")
    closing = models.TextField("结尾", blank=True, help_text="例如：联系人及电话")
    copy_to = models.CharField("抄送", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["county", "kind"]
        constraints = [models.UniqueConstraint(fields=["county", "kind"], name="document_template_one_per_kind")]

    def __str__(self):
        return f"{self.county} {self.get_kind_display()}"


class DocumentSequence(models.Model):
    """文号序列: the last number given to one kind of document of one county in one year. Only
    rectification.documents.document_number_allocate writes it (a conditional increment)."""

    county = models.ForeignKey("communities.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书类型", max_length=30, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [models.UniqueConstraint(fields=["county", "kind", "year"], name="document_sequence_unique")]

    def __str__(self):
        return f"{self.county} {self.get_kind_display()} {self.year}：{self.last_number}"


class CaseDocument(models.Model):
    """文书: one generated document of a case, with its number; the file is the CaseAttachment
    on the case's timeline. The unique serial per (county, kind, year) is the database's own
    guarantee that a number is never given twice."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书类型", max_length=30, choices=DocumentKind.choices)
    county = models.ForeignKey("communities.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60)
    attachment = models.OneToOneField(
        CaseAttachment, verbose_name="文件", on_delete=models.PROTECT, related_name="document"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="出具人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("出具时间", default=timezone.now)

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        verbose_name = "案件文书"
        verbose_name_plural = "案件文书"
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "kind", "year", "serial"], name="case_document_number_unique"),
        ]

    def __str__(self):
        return self.number
