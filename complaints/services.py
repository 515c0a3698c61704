"""Writes of the complaints app. Keyword-only, one transaction each, a domain error with a Chinese
message on refusal, and an event on the complaint's timeline (and on the case's where the case
changes)."""

import calendar
import secrets
import time
from datetime import date, datetime, timedelta

from celery import current_app
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.capabilities import require
from accounts.models import COUNTY_ROLES, User
from accounts.regions import users_over
from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for, leaf_categories
from communities.models import Estate
from communities.services import estate_alias_remember
from core.audit import audited
from core.config_cache import CONFIG_CACHE_SECONDS, cached, forget_on_change
from core.errors import Conflict, InvalidInput, InvalidState, MissingField, NotFound
from core.models import CalendarDay
from core.notifications import notification_send
from core.workdays import add_working_days
from rectification.clues import clue_move, clue_split
from rectification.complainants import complainants_distinct
from rectification.models import Case, CaseClue, CaseEventKind, ClueSource
from rectification.services import ClueInput, case_event_record, case_transition, clues_intake
from rectification.uploads import InvalidUpload, validate_uploads

from . import notify, privacy
from .models import (
    DEFAULT_DEADLINE_WORKDAYS,
    DEFAULT_FEEDBACK_WORKDAYS,
    FALLBACK_DEADLINE_WORKDAYS,
    RETURN_CALL_CHANNELS,
    Channel,
    ChannelRule,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintEventKind,
    ComplaintStatus,
    RatingSource,
    ReplyMethod,
    Satisfaction,
)

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PUBLIC_CHANNELS = (Channel.PUBLIC_FORM, Channel.QR_CODE)


class DuplicateReference(Conflict):
    # said of a reference outside the user's scope too: it must not tell that it exists there
    default_message = "该渠道编号无法登记，请核对。"


# Reference data read by every submission (channel deadlines, the work calendar, leaf categories;
# the active campaigns in campaigns.selectors) through core.config_cache.

_CHANNEL_RULES_KEY = "complaints:cfg:channel-rules:v2"
_DEADLINES_KEY = "complaints:cfg:deadlines"
LEAF_CATEGORIES_KEY = "complaints:cfg:leaf-categories"
_CATEGORY_FIELDS = ("id", "code", "label", "parent_id", "is_active", "sort_order")


def _channel_rules() -> dict[str, tuple[int, int]]:
    return cached(_CHANNEL_RULES_KEY, lambda: {
        channel: (deadline, feedback)
        for channel, deadline, feedback in ChannelRule.objects.values_list("channel", "deadline_workdays", "feedback_workdays")
    })


def tracking_codes(n: int) -> list[str]:
    """n distinct 查询码 (10 characters of CODE_ALPHABET, from the secrets module), drawn in one
    call: 32 letters, so a random byte's low five bits pick one without bias."""
    assert len(CODE_ALPHABET) == 32
    table = bytes(ord(CODE_ALPHABET[b & 31]) for b in range(256))
    codes: list[str] = []
    seen = set()
    while len(codes) < n:
        blob = secrets.token_bytes(10 * (n - len(codes))).translate(table).decode("ascii")
        for i in range(0, len(blob), 10):
            code = blob[i:i + 10]
            if code not in seen:
                seen.add(code)
                codes.append(code)
    return codes


def new_tracking_code() -> str:
    return tracking_codes(1)[0]


def deadline_workdays(channel: str) -> int:
    rule = _channel_rules().get(channel)
    if rule is not None:
        return rule[0]
    return DEFAULT_DEADLINE_WORKDAYS.get(channel, FALLBACK_DEADLINE_WORKDAYS)


def feedback_workdays(channel: str) -> int:
    """反馈时限: working days to tell the complainant once the case is finished."""
    rule = _channel_rules().get(channel)
    return rule[1] if rule is not None else DEFAULT_FEEDBACK_WORKDAYS


def deadline_for(channel: str, received_at: datetime) -> date:
    """办理时限 of a channel: N working days (work calendar) after the day it was received."""
    start, workdays = timezone.localdate(received_at), deadline_workdays(channel)
    # one small table of the (day, N) answers already worked out, stamped with its birth so that
    # adding answers does not keep stale ones alive past the timeout
    table = cache.get(_DEADLINES_KEY)
    if table is None or time.time() - table["at"] > CONFIG_CACHE_SECONDS:
        table = {"at": time.time(), "days": {}}
    found = table["days"].get((start, workdays))
    if found is None:
        found = add_working_days(start, workdays)
        table["days"] = {k: v for k, v in table["days"].items() if k[0] >= start - timedelta(days=1)}
        table["days"][(start, workdays)] = found
        remaining = max(1, int(CONFIG_CACHE_SECONDS - (time.time() - table["at"])))
        cache.set(_DEADLINES_KEY, table, remaining)
    return found


def leaf_category_fields() -> dict[int, dict]:
    """The active categories without active children (what a complaint may be filed under), as
    {pk: field values} in display order, with "parent_label" for the public form's labels."""
    def compute():
        return {
            c.pk: {**{f: getattr(c, f) for f in _CATEGORY_FIELDS}, "parent_label": c.parent.label if c.parent_id else ""}
            for c in leaf_categories()
        }
    return cached(LEAF_CATEGORIES_KEY, compute)


def leaf_category_cached(pk: int) -> ProblemCategory | None:
    """A leaf category by pk from the cache (None: not a leaf as far as the cache knows)."""
    fields = leaf_category_fields().get(pk)
    if fields is None:
        return None
    return ProblemCategory(**{f: fields[f] for f in _CATEGORY_FIELDS})


def _is_leaf_category(category: ProblemCategory | None) -> bool:
    if category is None or not category.is_active:
        return False
    if category.pk in leaf_category_fields():
        return True
    # not (yet) in the cache: a category created in the last minute is judged by the database
    return not category.children.filter(is_active=True).exists()


forget_on_change(_CHANNEL_RULES_KEY, ChannelRule)
forget_on_change(_DEADLINES_KEY, CalendarDay)
forget_on_change(LEAF_CATEGORIES_KEY, ProblemCategory)


def case_complainant_count(case_id: int) -> int:
    """多人同诉: distinct complainants of a case (rectification.complainants: one per phone
    number, by its keyed hash; anonymous complaints one each); clues from other sources keep
    their count."""
    complaints = Complaint.objects.filter(case_id=case_id).aggregate(n=complainants_distinct("phone_hash"))["n"]
    others = (
        CaseClue.objects.filter(case_id=case_id).exclude(source_app_label="complaints")
        .aggregate(n=Sum("complainant_count"))["n"] or 0
    )
    return complaints + others


def phones_on_cases(case_ids: list[int], keys: set[str]) -> dict[int, set[str]]:
    """For clues_intake's 多人同诉 count: which of the phone digests `keys` already complained in
    each of the cases, in one query."""
    complaints = Complaint.objects.filter(case_id__in=case_ids)
    # a large import names thousands of numbers: then every number on the cases, not a huge IN list
    complaints = complaints.filter(phone_hash__in=keys) if len(keys) <= 500 else complaints.exclude(phone_hash="")
    found: dict[int, set[str]] = {}
    for case_id, phone_hash in complaints.values_list("case_id", "phone_hash"):
        found.setdefault(case_id, set()).add(phone_hash)
    return found


def complaint_clue(complaint: Complaint, *, reference: str, campaign_id: int | None) -> ClueInput:
    """A complaint as a clue for clues_intake, counted by its phone digest."""
    return ClueInput(
        estate=complaint.estate, category=complaint.category, source=ClueSource.COMPLAINT, campaign_id=campaign_id,
        reference=f"{complaint.get_channel_display()} {reference}", description=complaint.description[:2000],
        received_at=complaint.received_at, source_app_label="complaints", source_object_id=complaint.pk,
        complainant_key=complaint.phone_hash,
    )


def _clean_text(value, *, label: str, required: bool = False, max_length: int = 2000) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise MissingField(f"请填写{label}。")
    if len(text) > max_length:
        raise InvalidInput(f"{label}过长（最多 {max_length} 字）。")
    return text


def _validate_photos(files) -> list[tuple[object, str]]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise InvalidUpload(f"最多上传 {MAX_PHOTOS} 张照片。")
    checked = validate_uploads(files)
    for upload, content_type in checked:
        if not content_type.startswith("image/"):
            raise InvalidUpload(f"文件“{upload.name}”不是图片（仅支持 JPG、PNG、GIF、WEBP）。")
        if upload.size > MAX_PHOTO_BYTES:
            raise InvalidUpload(f"照片“{upload.name}”超过 10MB。")
    return checked


def _join_case(complaint: Complaint, *, user: User | None) -> None:
    """Makes the complaint a clue of the open case of its estate and category (or a new case)
    through the one intake, which locks the estate row before it counts the distinct
    complainants, so two complaints arriving at once see the same case."""
    campaign = campaign_for(complaint.estate)
    clue = complaint_clue(complaint, reference=complaint.reference or f"投诉#{complaint.pk}",
                          campaign_id=campaign.pk if campaign else None)
    [result] = clues_intake(clues=[clue], actor=user, known_keys=phones_on_cases)
    complaint.case_id, complaint.clue_id = result.case_id, result.clue_id
    Complaint.objects.filter(pk=complaint.pk).update(case_id=result.case_id, clue_id=result.clue_id)


@audited("complaints.ComplaintEvent")
def complaint_create(
    *,
    channel: str,
    estate: Estate | None,
    category: ProblemCategory,
    description: str,
    phone: str = "",
    complainant_name: str = "",
    is_anonymous: bool = False,
    reference: str = "",
    received_at: datetime | None = None,
    deadline: date | None = None,
    files=None,
    user: User | None = None,
    review_note: str = "",
    join_later: bool = False,
) -> Complaint:
    """Registers one complaint and makes it a clue of a case (多人同诉 grouping). `user` is the
    staff member (None for the public form): their scope must hold the estate and their role must
    handle complaints. A channel reference that already exists is refused (409; the other complaint
    is named only inside the user's scope). The deadline, never before the day received, is
    the given one (a 12345 work order's own) or the channel's rule in working days.

    `join_later` (the public form): with a Celery broker, the grouping into a case and the SMS
    run in a worker once this transaction commits (complaint_join_case), so a burst of residents
    costs the web process one insert each; without one (tasks in-process) it happens here, as
    for every other caller. A complaint a worker never reached is joined by the beat's
    complaints_join_pending."""
    if channel not in Channel.values:
        raise InvalidInput("受理渠道无效。")
    if user is not None:
        require(user, "complaint.handle", message="您的角色不能登记投诉。")
    if estate is None:
        raise MissingField("请选择小区。")
    if user is not None and not Estate.objects.visible_to(user).filter(pk=estate.pk).exists():
        raise NotFound("小区不存在或不在您的管辖范围内。")
    if not _is_leaf_category(category):
        raise InvalidInput("请选择具体的问题类别。")
    description = _clean_text(description, label="诉求内容", required=True)
    complainant_name = _clean_text(complainant_name, label="姓名", max_length=50)
    reference = _clean_text(reference, label="渠道编号", max_length=64)
    if is_anonymous:
        phone, complainant_name = "", ""
    else:
        phone = privacy.normalise_phone(phone, mobile_only=user is None) if phone or user is None else ""
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise InvalidInput("受理时间不能晚于当前时间。")
    if deadline is not None and (deadline < timezone.localdate(received_at)
                                 or deadline < timezone.localdate() - timedelta(days=366)):
        raise InvalidInput(f"办理时限 {deadline:%Y-%m-%d} 早于受理日期或已过去一年以上，请核对。")
    photos = _validate_photos(files)
    if reference:
        # only a duplicate the user may see is named; one of another town gets the generic refusal
        seen = Complaint.objects.filter(channel=channel, reference=reference).values_list("pk", "tracking_code").first()
        if seen and user is not None and Complaint.objects.visible_to(user).filter(pk=seen[0]).exists():
            raise DuplicateReference(f"{Channel(channel).label}编号“{reference}”已登记（查询码 {seen[1]}），不能重复受理。")
        if seen:
            raise DuplicateReference()
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                tracking_code=new_tracking_code(), channel=channel, reference=reference, received_at=received_at,
                estate=estate, region_path=estate.community.path, category=category, description=description,
                complainant_name=complainant_name, phone_encrypted=privacy.phone_encrypt(phone),
                phone_hash=privacy.phone_hash(phone), is_anonymous=is_anonymous or not phone,
                deadline=deadline or deadline_for(channel, received_at), created_by=user,
                review_note=review_note[:200],
            )
            for upload, content_type in photos:
                ComplaintAttachment.objects.create(
                    complaint=complaint, file=upload, original_name=upload.name[:200], content_type=content_type,
                    size=upload.size,
                )
            later = join_later and not current_app.conf.task_always_eager
            if not later:
                _join_case(complaint, user=user)
            ComplaintEvent.objects.create(
                complaint=complaint, actor=user, kind=ComplaintEventKind.RECEIVED, is_public=True,
                note=f"您的投诉已受理（{complaint.get_channel_display()}），办理时限 {complaint.deadline:%Y-%m-%d}。",
                data={"case_id": complaint.case_id},
            )
            if later:
                # by name: the task module imports this one (one message: the worker groups, then texts)
                pk = complaint.pk
                transaction.on_commit(lambda: current_app.send_task(JOIN_TASK, args=[pk]))
            else:
                notify.complaint_sms_after_commit([complaint.pk], notify.RECEIVED)
    except IntegrityError:
        raise DuplicateReference() from None
    return complaint


JOIN_TASK = "complaints.tasks.join_case"
#: a public complaint not joined after this long was missed by the worker (complaints_join_pending)
JOIN_PENDING_AFTER = timedelta(minutes=2)


@audited("rectification.CaseEvent")
def complaint_join_case(*, complaint_id: int) -> bool:
    """The worker's half of a public complaint filed with join_later: makes it a clue of its case
    through the one intake, then texts the tracking code. Safe to run twice (and beside the beat's
    sweep): the complaint row is locked and one already joined is left alone. Returns whether it
    joined now."""
    with transaction.atomic():
        complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("estate__community", "category")
                     .filter(pk=complaint_id, clue__isnull=True, estate__isnull=False).first())
        if complaint is None:
            return False
        _join_case(complaint, user=None)
        notify.complaint_sms_after_commit([complaint.pk], notify.RECEIVED)
    return True


@audited("rectification.CaseEvent")
def complaints_join_pending(*, older_than: timedelta = JOIN_PENDING_AFTER) -> int:
    """The beat's sweep: joins the public complaints still without a case after `older_than` (the
    worker was down or lost the message). Returns how many it joined."""
    pending = Complaint.objects.filter(
        channel__in=PUBLIC_CHANNELS, clue__isnull=True, estate__isnull=False,
        received_at__lt=timezone.now() - older_than,
    ).order_by("pk").values_list("pk", flat=True)
    return sum(complaint_join_case(complaint_id=pk) for pk in list(pending[:5000]))


def _lock_complaint(*, complaint_id: int, user: User) -> Complaint:
    complaint = Complaint.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("投诉不存在或不在您的管辖范围内。")
    return complaint


@audited("complaints.ComplaintEvent")
def complaint_move(*, complaint_id: int, to_case_id: int, user: User, reason: str) -> Complaint:
    """Moves a complaint to another open case of the user's scope (调整并案), recounting the
    distinct complainants of both cases; both timelines say who did it and why."""
    require(user, "complaint.handle", message="您的角色不能调整投诉所属案件。")
    reason = _clean_text(reason, label="调整理由", required=True, max_length=500)
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.clue_id is None:
            raise InvalidState("该投诉尚未关联案件。")
        target = Case.objects.visible_to(user).filter(pk=to_case_id).first()
        if target is None:
            raise NotFound("目标案件不存在或不在您的管辖范围内。")
        from_case_id = complaint.case_id
        complaint.case = target
        complaint.save(update_fields=["case"])
        clue_move(
            clue_id=complaint.clue_id, to_case_id=target.pk, actor=user, reason=reason,
            counts={from_case_id: case_complainant_count(from_case_id), target.pk: case_complainant_count(target.pk)},
        )
        ComplaintEvent.objects.create(
            complaint=complaint, actor=user, kind=ComplaintEventKind.MOVED, note=reason,
            data={"from_case": from_case_id, "to_case": target.pk},
        )
    return complaint


@audited("complaints.ComplaintEvent")
def complaint_split(*, complaint_id: int, user: User, reason: str, category: ProblemCategory | None = None) -> Complaint:
    """Splits a complaint out of its case into a new case (待核查), optionally of another category."""
    require(user, "complaint.handle", message="您的角色不能拆分投诉。")
    reason = _clean_text(reason, label="拆分理由", required=True, max_length=500)
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.clue_id is None:
            raise InvalidState("该投诉尚未关联案件。")
        from_case_id = complaint.case_id

        def counts_after(new_case_id):
            Complaint.objects.filter(pk=complaint.pk).update(case_id=new_case_id)
            return {from_case_id: case_complainant_count(from_case_id), new_case_id: case_complainant_count(new_case_id)}

        new_case = clue_split(clue_id=complaint.clue_id, actor=user, reason=reason, category=category,
                              counts_after=counts_after)
        if category is not None:
            Complaint.objects.filter(pk=complaint.pk).update(category=category)
        complaint.refresh_from_db()
        ComplaintEvent.objects.create(
            complaint=complaint, actor=user, kind=ComplaintEventKind.SPLIT, note=reason,
            data={"from_case": from_case_id, "to_case": new_case.pk},
        )
    return complaint


@audited("complaints.ComplaintEvent")
def complaint_resolve_estate(*, complaint_id: int, estate_id: int, user: User) -> Complaint:
    """Gives an unmatched (imported) complaint its estate, and so its case."""
    require(user, "complaint.handle", message="您的角色不能匹配小区。")
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.status != ComplaintStatus.PENDING_ESTATE:
            raise InvalidState("该投诉已匹配小区。")
        estate = Estate.objects.visible_to(user).select_related("community").filter(pk=estate_id).first()
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        complaint.estate, complaint.region_path = estate, estate.community.path
        complaint.status = ComplaintStatus.RECEIVED
        complaint.save(update_fields=["estate", "region_path", "status"])
        _join_case(complaint, user=user)
        alias_added = estate_alias_remember(estate=estate, name=complaint.raw_estate, user=user)
        ComplaintEvent.objects.create(
            complaint=complaint, actor=user, kind=ComplaintEventKind.ESTATE_RESOLVED,
            note=f"原始小区名称“{complaint.raw_estate}”匹配为“{estate.name}”"
                 + ("，已记为该小区的别名，今后导入自动匹配。" if alias_added else "。"),
            data={"estate_id": estate.pk, "alias_added": alias_added},
        )
    return complaint


@audited("complaints.ComplaintEvent")
def complaint_reply(*, complaint_id: int, user: User, reply: str, method: str) -> Complaint:
    """Records what the complainant was told and how (及时反馈办理结果); the complaint is handled
    (已办结) and the tracking page shows the reply and asks for a rating."""
    require(user, "complaint.handle", message="您的角色不能反馈办理结果。")
    reply = _clean_text(reply, label="答复内容", required=True)
    if method not in ReplyMethod.values:
        raise (InvalidInput if method else MissingField)("请选择反馈方式。")
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.status == ComplaintStatus.PENDING_ESTATE:
            raise InvalidState("请先匹配小区再反馈。")
        if complaint.status == ComplaintStatus.HANDLED:
            raise InvalidState("该投诉已反馈办理结果。")
        complaint.reply, complaint.reply_method = reply, method
        complaint.replied_at, complaint.replied_by = timezone.now(), user
        complaint.status = ComplaintStatus.HANDLED
        complaint.save(update_fields=["reply", "reply_method", "replied_at", "replied_by", "status"])
        ComplaintEvent.objects.create(
            complaint=complaint, actor=user, kind=ComplaintEventKind.REPLIED, is_public=True,
            note=reply, data={"method": method},
        )
        notify.complaint_sms_after_commit([complaint.pk], notify.REPLIED)
    return complaint


def complaint_find_for_tracking(*, tracking_code: str, phone_last4: str) -> Complaint | None:
    """The complaint a resident may see: its code, and for a named complaint the last four digits
    of the phone number. The same None for every mismatch, so the page reveals nothing."""
    code = str(tracking_code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    complaint = Complaint.objects.select_related("case", "estate", "category").filter(tracking_code=code).first()
    if complaint is None:
        return None
    if complaint.phone_encrypted:
        phone = privacy.phone_decrypt(complaint.phone_encrypted)
        if not phone or str(phone_last4 or "").strip() != phone[-4:]:
            return None
    return complaint


def _notify_unsatisfied(complaint: Complaint, comment: str) -> None:
    """不满意 goes to the county working group above the complaint (站内通知) for review."""
    notification_send(
        users=users_over(complaint.region_path, roles=COUNTY_ROLES),
        title=f"投诉人不满意：{complaint.estate.name if complaint.estate_id else complaint.raw_estate}",
        body=f"投诉 {complaint.tracking_code} 的投诉人对办理结果不满意：{comment}",
        url=f"/complaints/{complaint.pk}/",
    )


@audited("complaints.ComplaintEvent")
def complaint_rate(*, tracking_code: str, phone_last4: str, satisfaction: str, comment: str = "") -> Complaint:
    """The resident's rating (满意 / 基本满意 / 不满意) of a handled complaint, once. 不满意 goes
    on the case's timeline so the working group reviews it."""
    if satisfaction not in Satisfaction.values:
        raise (InvalidInput if satisfaction else MissingField)("请选择满意度。")
    comment = _clean_text(comment, label="评价意见", max_length=500)
    if satisfaction == Satisfaction.UNSATISFIED and not comment:
        raise MissingField("选择“不满意”时请简要说明原因，便于我们改进。")
    with transaction.atomic():
        found = complaint_find_for_tracking(tracking_code=tracking_code, phone_last4=phone_last4)
        if found is None:
            raise NotFound("查询码或手机号后四位不正确。")
        complaint = Complaint.objects.select_for_update().get(pk=found.pk)
        if complaint.status != ComplaintStatus.HANDLED:
            raise InvalidState("投诉办结并反馈后才能评价。")
        if complaint.rated_at is not None:
            raise Conflict("您已评价过，感谢您的反馈。")
        _record_rating(complaint, satisfaction=satisfaction, comment=comment, source=RatingSource.RESIDENT, user=None)
    return complaint


def _record_rating(complaint: Complaint, *, satisfaction: str, comment: str, source: str, user: User | None) -> None:
    complaint.satisfaction, complaint.rating_comment, complaint.rated_at = satisfaction, comment, timezone.now()
    complaint.rating_source, complaint.rated_by = source, user
    complaint.save(update_fields=["satisfaction", "rating_comment", "rated_at", "rating_source", "rated_by"])
    label = Satisfaction(satisfaction).label
    who = "投诉人评价" if source == RatingSource.RESIDENT else "回访评价"
    ComplaintEvent.objects.create(
        complaint=complaint, actor=user, is_public=source == RatingSource.RESIDENT,
        kind=ComplaintEventKind.RATED if source == RatingSource.RESIDENT else ComplaintEventKind.RETURN_CALL,
        note=f"{who}：{label}。{comment}".rstrip("。") + ("" if comment else "。"),
        data={"satisfaction": satisfaction, "source": source},
    )
    if satisfaction == Satisfaction.UNSATISFIED:
        _notify_unsatisfied(complaint, comment)
    if complaint.case_id:
        case_event_record(
            case_id=complaint.case_id, actor=user, kind=CaseEventKind.ACTION, transition="complaint_rated",
            label=f"{who}：{label}", note=comment,
            data={"complaint_id": complaint.pk, "satisfaction": satisfaction, "source": source},
        )


@audited("complaints.ComplaintEvent")
def complaint_record_return_call(*, complaint_id: int, user: User, satisfaction: str, comment: str = "") -> Complaint:
    """回访: staff call back a hotline, 信访 or phone complainant after the reply and record their
    rating. It counts in 满意率 like the resident's own rating; a complaint is rated once."""
    require(user, "complaint.handle", message="您的角色不能登记回访。")
    if satisfaction not in Satisfaction.values:
        raise (InvalidInput if satisfaction else MissingField)("请选择回访满意度。")
    comment = _clean_text(comment, label="回访记录", max_length=500)
    if satisfaction == Satisfaction.UNSATISFIED and not comment:
        raise MissingField("回访结果为“不满意”时请记录投诉人的意见。")
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.channel not in RETURN_CALL_CHANNELS:
            raise InvalidState("网上投诉由投诉人在查询页自行评价，无需回访。")
        if complaint.status != ComplaintStatus.HANDLED:
            raise InvalidState("反馈办理结果后才能回访。")
        if complaint.rated_at is not None:
            raise Conflict("该投诉已有满意度评价。")
        _record_rating(complaint, satisfaction=satisfaction, comment=comment, source=RatingSource.RETURN_CALL, user=user)
    return complaint


@audited("complaints.ComplaintEvent")
def complaint_reopen(*, complaint_id: int, user: User, reason: str) -> Complaint:
    """办理不满意的重新办理: an unsatisfied complaint sends its case back — a closed case to
    rectification (reopen), a case found untrue to verification (reverify) — with the reason on
    both timelines. The complaint is received again and will be replied to and rated anew; its
    earlier reply and rating stay on its timeline."""
    reason = _clean_text(reason, label="重新办理理由", required=True, max_length=500)
    with transaction.atomic():
        complaint = _lock_complaint(complaint_id=complaint_id, user=user)
        if complaint.satisfaction != Satisfaction.UNSATISFIED:
            raise InvalidState("只有评价为“不满意”的投诉可以重新办理。")
        if complaint.case_id is None:
            raise InvalidState("该投诉尚未关联案件。")
        state = complaint.case.state
        transition = {"closed": "reopen", "not_true": "reverify"}.get(state)
        if transition is None:
            raise InvalidState(f"案件当前状态为“{complaint.case.get_state_display()}”，已在办理中。")
        previous = {"reply": complaint.reply, "replied_at": complaint.replied_at.isoformat() if complaint.replied_at else "",
                    "satisfaction": complaint.satisfaction, "rating_comment": complaint.rating_comment}
        case_transition(case_id=complaint.case_id, user=user, transition=transition,
                        reason=f"投诉人不满意，重新办理：{reason}")
        Complaint.objects.filter(pk=complaint.pk).update(
            status=ComplaintStatus.RECEIVED, reply="", reply_method="", replied_at=None, replied_by=None,
            reply_deadline=None, satisfaction="", rating_comment="", rated_at=None, rating_source="", rated_by=None,
        )
        ComplaintEvent.objects.create(
            complaint=complaint, actor=user, kind=ComplaintEventKind.REOPENED, is_public=True,
            note=f"您对办理结果不满意，已重新办理：{reason}", data={"previous": previous, "case_id": complaint.case_id},
        )
        complaint.refresh_from_db()
    return complaint


def _draft_reply(case, event) -> str:
    place = f"{case.estate.name}" if case.estate_id else ""
    if case.state == "not_true":
        return f"经核查，您反映的{place}“{case.category.label}”问题不属实。{event.note}".strip()
    measures = f"整改措施：{case.measures}。" if case.measures else ""
    return f"您反映的{place}“{case.category.label}”问题已整改完成并销号。{measures}{event.note}".strip()


@audited("complaints.ComplaintEvent")
def complaints_follow_case(*, case, user, event, from_state: str) -> None:
    """The complaints of a case follow it (registered in rectification.hooks): when the case is
    closed (销号) or found untrue (不属实) each complaint still open becomes 待反馈 with the case's
    result as a draft reply and a reply deadline of its channel's feedback limit; when the case is
    opened again, those not yet told go back to 已受理."""
    finished = ("closed", "not_true")
    if case.state in finished:
        waiting = list(Complaint.objects.filter(case_id=case.pk, status=ComplaintStatus.RECEIVED)
                       .select_for_update().only("pk", "channel"))
        if not waiting:
            return
        today = timezone.localdate()
        draft = _draft_reply(case, event)[:2000]
        by_channel: dict[str, list[int]] = {}
        for complaint in waiting:
            by_channel.setdefault(complaint.channel, []).append(complaint.pk)
        for channel, ids in by_channel.items():
            Complaint.objects.filter(pk__in=ids).update(
                status=ComplaintStatus.REPLY_DUE, reply=draft,
                reply_deadline=add_working_days(today, feedback_workdays(channel)),
            )
        note = "案件已办结，正在向您反馈办理结果。" if case.state == "closed" else "案件已核查，正在向您反馈核查结果。"
        ComplaintEvent.objects.bulk_create([
            ComplaintEvent(complaint_id=c.pk, actor=user, kind=ComplaintEventKind.REPLY_DUE, is_public=True, note=note,
                           data={"case_id": case.pk, "case_state": case.state})
            for c in waiting
        ])
    elif from_state in finished:
        Complaint.objects.filter(case_id=case.pk, status=ComplaintStatus.REPLY_DUE).update(
            status=ComplaintStatus.RECEIVED, reply="", reply_deadline=None)


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@audited("complaints.ComplaintEvent")
def complaints_anonymise(*, months: int, now: datetime | None = None, batch_size: int = 500) -> int:
    """个人信息保护法 minimisation: removes the complainant's name and phone (and its hash) from
    complaints handled more than `months` ago whose case is no longer open. Statistics (channel,
    estate, category, rating, the case's complainant count) stay. Safe to run twice: only rows not
    yet anonymised are touched, in batches claimed by primary key."""
    now = now or timezone.now()
    cutoff = months_before(now, months)
    candidates = (
        Complaint.objects.filter(anonymised_at__isnull=True, status=ComplaintStatus.HANDLED, replied_at__lt=cutoff)
        .exclude(case__state__in=("pending_verification", "verifying", "rectifying", "pending_closure"))
        .order_by("pk")
    )
    total = 0
    while True:
        ids = list(candidates.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        with transaction.atomic():
            done = Complaint.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
                complainant_name="", phone_encrypted="", phone_hash="", anonymised_at=now,
            )
            ComplaintEvent.objects.bulk_create([
                ComplaintEvent(complaint_id=pk, kind=ComplaintEventKind.ANONYMISED, at=now,
                               note=f"办结满 {months} 个月，投诉人姓名和联系电话已删除。")
                for pk in ids
            ])
        total += done
