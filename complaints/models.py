"""Complaints (投诉举报) from every intake channel. Each complaint becomes a clue (CaseClue) of a
rectification case; several complaints about one estate and category share one case (多人同诉).

Personal data: the phone number is stored encrypted (`phone_encrypted`) with a keyed hash beside it
(`phone_hash`) so staff can find every complaint of one number without decrypting; see
complaints.privacy."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from core import files
from core.audit import Event
from core.scoping import ScopedQuerySet, ScopedThroughQuerySet


class Channel(models.TextChoices):
    HOTLINE_12345 = "12345", "12345热线"
    PETITION = "petition", "信访件"
    LIVELIHOOD_HOTLINE = "livelihood", "民生热线"
    ONLINE_OPINION = "online_opinion", "网络舆情"
    HUASHUO = "huashuo", "话说物业平台"
    REPORT_PHONE = "report_phone", "举报电话"
    REPORT_EMAIL = "report_email", "举报邮箱"
    PUBLIC_FORM = "public_form", "网上投诉"
    QR_CODE = "qr_code", "扫码即办"
    ONSITE = "onsite", "现场收集点"
    QUESTIONNAIRE = "questionnaire", "问卷调查"


#: 办理时限 in working days when no ChannelRule row overrides it.
DEFAULT_DEADLINE_WORKDAYS = {
    Channel.HOTLINE_12345: 5,
    Channel.PETITION: 15,
    Channel.ONLINE_OPINION: 3,
}
FALLBACK_DEADLINE_WORKDAYS = 10


#: 反馈时限 in working days: how long after its case is closed or found untrue the complainant must
#: be told, when no ChannelRule row overrides it.
DEFAULT_FEEDBACK_WORKDAYS = 2


class ComplaintStatus(models.TextChoices):
    PENDING_ESTATE = "pending_estate", "待匹配小区"
    RECEIVED = "received", "已受理"
    #: the case is closed (销号) or found untrue: the complainant must now be told (待反馈)
    REPLY_DUE = "reply_due", "待反馈"
    HANDLED = "handled", "已办结"


#: the states in which the handling deadline (办理时限) runs
IN_HANDLING = (ComplaintStatus.PENDING_ESTATE, ComplaintStatus.RECEIVED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class RatingSource(models.TextChoices):
    RESIDENT = "resident", "投诉人自评"
    RETURN_CALL = "return_call", "回访"


#: channels whose complainants never see the tracking page: staff call them back (回访)
RETURN_CALL_CHANNELS = frozenset(set(Channel.values) - {Channel.PUBLIC_FORM, Channel.QR_CODE})


class ReplyMethod(models.TextChoices):
    PHONE = "phone", "电话告知"
    SMS = "sms", "短信告知"
    ONSITE = "onsite", "当面告知"
    ONLINE = "online", "网上答复"
    PLATFORM = "platform", "原渠道平台回复"


class ChannelRule(models.Model):
    """The handling deadline of one channel (办理时限), editable by the working group."""

    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices, unique=True)
    deadline_workdays = models.PositiveSmallIntegerField("办理时限（工作日）", default=FALLBACK_DEADLINE_WORKDAYS)
    feedback_workdays = models.PositiveSmallIntegerField(
        "反馈时限（工作日）", default=DEFAULT_FEEDBACK_WORKDAYS, help_text="案件销号或核查不属实后，告知投诉人的期限"
    )

    class Meta:
        verbose_name = "渠道办理时限"
        verbose_name_plural = "渠道办理时限"
        ordering = ["channel"]

    def __str__(self):
        return f"{self.get_channel_display()}：{self.deadline_workdays} 个工作日"


# Complaint photos and pending imports are in the one private store (core.files).
PrivateStorage = files.PrivateStorage
private_storage = files.private_storage


class ComplaintQuerySet(ScopedQuerySet):
    region_path_lookup = "region_path"
    enterprise_lookup = "estate__enterprise_id"

    def visible_to(self, user):
        """Discipline inspection sees only complaints of corruption-clue cases."""
        qs = super().visible_to(user)
        if user is not None and user.is_authenticated and not user.sees_everything and user.role == Role.DISCIPLINE:
            qs = qs.filter(case__is_corruption_clue=True)
        return qs

    def overdue(self, today=None):
        """办理超期: still being handled (not yet 待反馈 or 已办结) past the handling deadline; once its
        case is finished only the feedback limit applies (feedback_overdue)."""
        today = today or timezone.localdate()
        return self.filter(status__in=IN_HANDLING, deadline__lt=today)

    def reply_due(self):
        """待反馈: the case is finished, the complainant has not been told yet."""
        return self.filter(status=ComplaintStatus.REPLY_DUE)

    def feedback_overdue(self, today=None):
        """反馈超期: waiting for its reply (待反馈) past the channel's feedback limit."""
        today = today or timezone.localdate()
        return self.filter(status=ComplaintStatus.REPLY_DUE, reply_deadline__lt=today)

    def for_list(self):
        return self.select_related("estate__community__parent", "category", "case")


class Complaint(models.Model):
    """投诉: one complaint of one complainant through one channel."""

    tracking_code = models.CharField("查询码", max_length=12, unique=True)
    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices, db_index=True)
    reference = models.CharField("渠道编号", max_length=64, blank=True, help_text="如 12345 工单编号、信访件编号")
    received_at = models.DateTimeField("受理时间", default=timezone.now)  # indexed with id in Meta
    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, null=True, blank=True,
        related_name="complaints",
    )
    # Community path of the estate (or, while unmatched, of the region the row named / of the
    # importer): scoping is a prefix match on this column.
    region_path = models.CharField("区划路径", max_length=120, editable=False)  # indexed in Meta (LIKE 'prefix%')
    category = models.ForeignKey(
        "campaigns.ProblemCategory", verbose_name="问题类别", on_delete=models.PROTECT, related_name="complaints"
    )
    description = models.TextField("诉求内容")
    complainant_name = models.CharField("投诉人", max_length=50, blank=True)
    phone_encrypted = models.TextField("联系电话（加密）", blank=True, editable=False)
    phone_hash = models.CharField("联系电话摘要", max_length=64, blank=True, db_index=True, editable=False)
    is_anonymous = models.BooleanField("匿名", default=False)
    deadline = models.DateField("办理时限", null=True, blank=True, db_index=True)
    status = models.CharField(
        "办理状态", max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED, db_index=True
    )
    case = models.ForeignKey(
        "rectification.Case", verbose_name="所属案件", on_delete=models.PROTECT, null=True, blank=True,
        related_name="complaints",
    )
    clue = models.OneToOneField(
        "rectification.CaseClue", verbose_name="线索", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="complaint",
    )
    # what the row said where no estate matched (12345 import), for the person who resolves it
    raw_region = models.CharField("原始区域", max_length=100, blank=True)
    raw_estate = models.CharField("原始小区名称", max_length=100, blank=True)
    raw_category = models.CharField("原始诉求类别", max_length=100, blank=True)
    reply_deadline = models.DateField("反馈时限", null=True, blank=True)

    reply = models.TextField("答复内容", blank=True)
    reply_method = models.CharField("反馈方式", max_length=20, choices=ReplyMethod.choices, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="反馈人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False,  # indexed in Meta where set
    )
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)  # Meta
    rating_comment = models.TextField("评价意见", blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rating_source = models.CharField("评价方式", max_length=20, choices=RatingSource.choices, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False,  # indexed in Meta where set
    )

    #: why a person should check this complaint before trusting it (e.g. a number used too often on
    #: the public form: someone may have typed a stranger's number)
    review_note = models.CharField("待核实", max_length=200, blank=True)
    anonymised_at = models.DateTimeField("个人信息已匿名化", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉受理"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="complaint_received_id_desc"),
            models.Index(fields=["region_path"], name="complaint_region_path_prefix", opclasses=["varchar_pattern_ops"]),
            # Only rated and replied complaints are ever looked up by these columns (a filter on
            # one satisfaction, a user's deletion checking PROTECT): the rows without a value, all
            # new ones among them, stay out of the index, so writing them (an import's 50,000 rows)
            # costs no index entry.
            models.Index(fields=["satisfaction"], condition=~Q(satisfaction=""), name="complaint_rated_satisfaction"),
            models.Index(fields=["rated_by"], condition=Q(rated_by__isnull=False), name="complaint_rated_by"),
            models.Index(fields=["replied_by"], condition=Q(replied_by__isnull=False), name="complaint_replied_by"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "reference"], condition=~Q(reference=""), name="complaint_unique_channel_reference",
                violation_error_message="该渠道编号已登记，不能重复受理。",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.get_channel_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status in IN_HANDLING and self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def is_feedback_overdue(self) -> bool:
        return (
            self.status == ComplaintStatus.REPLY_DUE and self.reply_deadline is not None
            and self.reply_deadline < timezone.localdate()
        )


_attachment_path = files.RandomName("complaints")


class ComplaintAttachmentQuerySet(ScopedThroughQuerySet):
    scope_through = "complaint"


class ComplaintAttachment(files.StoredFile):
    """A photo of a complaint. Private: served only through a scope-checked view. `uploaded_by`
    is empty for a photo the complainant sent through the public form."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="attachments")

    objects = ComplaintAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉照片"
        verbose_name_plural = "投诉照片"
        ordering = ["id"]


class ComplaintEventKind(models.TextChoices):
    RECEIVED = "received", "受理"
    ESTATE_RESOLVED = "estate_resolved", "匹配小区"
    MOVED = "moved", "调整所属案件"
    SPLIT = "split", "拆分为新案件"
    REPLY_DUE = "reply_due", "待反馈"
    REPLIED = "replied", "反馈办理结果"
    RATED = "rated", "满意度评价"
    RETURN_CALL = "return_call", "回访"
    REOPENED = "reopened", "不满意重新办理"
    ANONYMISED = "anonymised", "个人信息匿名化"


class ComplaintEvent(Event):
    """The complaint's own timeline. `is_public` events are shown on the tracking page."""

    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=30, choices=ComplaintEventKind.choices)
    is_public = models.BooleanField("向投诉人公开", default=False)

    class Meta:
        verbose_name = "投诉记录"
        verbose_name_plural = "投诉记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.get_kind_display()}"


class VocabularyKind(models.TextChoices):
    COLUMN = "column", "列名"
    CATEGORY = "category", "诉求类别"
    KEYWORD = "keyword", "诉求关键词"


class HotlineVocabularyQuerySet(models.QuerySet):
    def for_county(self, county_id: int | None):
        """The defaults (no county) and the county's own words; the county's come last, so a dict
        built from them lets the county's override the defaults."""
        rows = self.filter(Q(region__isnull=True) | Q(region_id=county_id)) if county_id else self.filter(region__isnull=True)
        return rows.order_by(models.F("region_id").asc(nulls_first=True), "priority", "id")


class HotlineVocabulary(models.Model):
    """How a 12345 platform words things, as data a county extends: a column heading (列名) and the
    field it fills, a platform category (诉求类别) and the taxonomy category it means, or a keyword
    of a vague category or of the complaint's text (诉求关键词) and its category. Rows without a
    county are the defaults of every county; a county's own rows override them. The import's
    category chooser writes the county's rows, so next month's file is mapped without asking."""

    region = models.ForeignKey(
        "communities.Region", verbose_name="适用区县", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text="留空：所有区县的默认设置",
    )
    kind = models.CharField("类型", max_length=20, choices=VocabularyKind.choices)
    text = models.CharField("平台用语", max_length=100, help_text="列名、平台诉求类别或关键词（不区分空格与全角半角）")
    field = models.CharField("对应列", max_length=20, blank=True, help_text="列名：对应的导入字段")
    category = models.ForeignKey(
        # a rule pointing at a deleted category means nothing: it goes with it
        "campaigns.ProblemCategory", verbose_name="对应整治内容", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField("优先级", default=100, help_text="关键词：数字小的先匹配")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    objects = HotlineVocabularyQuerySet.as_manager()

    class Meta:
        verbose_name = "12345 平台用语"
        verbose_name_plural = "12345 平台用语（列名、类别对应、关键词）"
        ordering = ["kind", "priority", "text"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "text"], condition=Q(region__isnull=False),
                                    name="hotline_vocabulary_unique_in_county"),
            models.UniqueConstraint(fields=["kind", "text"], condition=Q(region__isnull=True),
                                    name="hotline_vocabulary_unique_default"),
            models.CheckConstraint(
                name="hotline_vocabulary_target",
                condition=(Q(kind="column") & ~Q(field="")) | (~Q(kind="column") & Q(category__isnull=False)),
                violation_error_message="列名须指定对应列；诉求类别和关键词须指定对应整治内容。",
            ),
        ]

    def __str__(self):
        target = self.field if self.kind == VocabularyKind.COLUMN else self.category
        return f"{self.get_kind_display()}：{self.text} → {target}"
