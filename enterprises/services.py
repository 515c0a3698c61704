"""Writes of the credit file (诚信档案), the red/black evaluation (红黑榜评定) and the exit
mechanism (退出机制). Every function is keyword-only, runs in one transaction, checks scope, role
and state, and raises a core.errors.DomainError with a Chinese message on refusal."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.capabilities import require
from campaigns.models import ProblemCategory
from communities import regions
from communities.models import Estate, Region, RegionLevel, ServiceLevel
from core.audit import audited
from core.errors import Conflict, InvalidInput, InvalidState, MissingField, NotFound
from rectification.models import Case, ClueSource, SupervisionAction, SupervisionKind
from rectification.services import case_open_or_join

from . import credit_rules
from .models import (
    DEFAULT_EVENT_POINTS,
    GOOD_EVENT_KINDS,
    HANDOVER_ITEMS,
    PUBLIC_EVENT_KINDS,
    CreditEvent,
    CreditEventKind,
    CreditLog,
    CreditLogKind,
    Enterprise,
    Evaluation,
    EvaluationStatus,
    ExitLitigation,
    ExitReason,
    ExitRecord,
    ExitStatus,
    HandoverItem,
    ListEntry,
    ListType,
    LitigationStage,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    Proposal,
    ProposalDecision,
    ServiceLevelChange,
)

#: how long an event counts by default (计分期间): one year from the day it happened
EVENT_COUNTS_DAYS = 365


def _text(value, *, limit: int = 2000, label: str = "内容") -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) > limit:
        raise InvalidInput(f"{label}过长（最多 {limit} 字）。")
    return text


def _date(value, *, label: str, required: bool = True) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value, limit=20, label=label)
    if not text:
        if required:
            raise InvalidInput(f"请填写{label}。")
        return None
    try:
        parsed = parse_date(text) if len(text) == 10 else None
    except ValueError:  # well-formed but impossible, e.g. 2025-13-01
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{label}的日期格式不正确，请使用 YYYY-MM-DD。")
    return parsed


def _given_date(value, *, label: str) -> date:
    """A required date argument of a typed service: None is missing, anything but a date wrong."""
    if value is None:
        raise MissingField(f"请填写{label}。")
    if not isinstance(value, date):
        raise InvalidInput(f"{label}的日期格式不正确，请使用 YYYY-MM-DD。")
    return value


def _id(value, *, what: str) -> int:
    """A primary key from user input; anything else is "not found", never a 500."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise NotFound(f"{what}不存在或不在您的管辖范围内。") from None


def _log(*, kind: str, actor=None, evaluation=None, evaluation_id=None, enterprise_id=None, from_state="", to_state="",
         note="", **data) -> CreditLog:
    """One row of the red/black list's audit trail, in the caller's transaction."""
    return CreditLog.objects.create(
        kind=kind, actor=actor if actor is not None and actor.is_authenticated else None,
        evaluation_id=evaluation.pk if evaluation is not None else evaluation_id,
        enterprise_id=enterprise_id, from_state=from_state or "", to_state=to_state or "", note=note or "", data=data,
    )


# ---------------------------------------------------------------------------------------------
# Credit file (诚信档案)

#: supervision kinds (rectification.SupervisionKind values) that are credit events themselves
SUPERVISION_CREDIT_KINDS = {
    "interview": CreditEventKind.INTERVIEW,
    "rectification_order": CreditEventKind.RECTIFICATION_ORDER,
    "penalty": CreditEventKind.PENALTY,
    "blacklist_nomination": CreditEventKind.BLACKLIST_NOMINATION,
}


@audited("enterprises.CreditLog")
def credit_event_record(
    *,
    enterprise_id: int,
    kind: str,
    occurred_on: date,
    description: str,
    user=None,
    points: int | None = None,
    decision_number: str = "",
    source_case=None,
    source_supervision=None,
    source_exit=None,
    estate=None,
    counts_from: date | None = None,
    counts_until: date | None = None,
) -> CreditEvent:
    """Adds one event to an enterprise's credit file. An event from a supervision action or an
    exit record is recorded once per (source, kind): a second call returns the first event. The
    region of the event is the case's or estate's, so each county sees its own events. Joins the
    caller's transaction (the ledger's services call it inside theirs)."""
    if kind not in CreditEventKind.values:
        raise InvalidInput("未知的信用记录类型。")
    description = _text(description, label="事由")
    if not description:
        raise InvalidInput("请填写信用记录的事由。")
    with transaction.atomic():
        existing = None
        if source_supervision is not None:
            existing = CreditEvent.objects.filter(source_supervision=source_supervision, kind=kind).first()
        elif source_exit is not None:
            existing = CreditEvent.objects.filter(source_exit=source_exit, kind=kind).first()
        if existing is not None:
            return existing
        if source_case is not None:
            region_path, estate = source_case.region_path, estate or source_case.estate
        elif estate is not None:
            region_path = estate.community.path
        elif user is not None and user.region_id:
            region_path = user.region.path
        else:
            raise InvalidInput("信用记录须关联案件、小区或登记人的行政区划。")
        is_bad = kind not in GOOD_EVENT_KINDS
        if points is None:
            points = DEFAULT_EVENT_POINTS[kind]
        points = -abs(int(points)) if is_bad else abs(int(points))
        counts_from = counts_from or occurred_on
        counts_until = counts_until or occurred_on + timedelta(days=EVENT_COUNTS_DAYS - 1)
        if counts_until < counts_from:
            raise InvalidInput("计分期间止不能早于起始日期。")
        event = CreditEvent.objects.create(
            enterprise_id=enterprise_id, kind=kind, is_bad=is_bad, occurred_on=occurred_on,
            counts_from=counts_from, counts_until=counts_until, points=points, description=description,
            decision_number=_text(decision_number, limit=100, label="文书文号"), source_case=source_case,
            source_supervision=source_supervision, source_exit=source_exit, estate=estate, region_path=region_path,
            is_published=kind in PUBLIC_EVENT_KINDS, recorded_by=user if user and user.is_authenticated else None,
        )
        _log(kind=CreditLogKind.EVENT_RECORDED, actor=user, enterprise_id=enterprise_id, to_state=kind,
             note=description, credit_event_id=event.pk, points=points)
        return event


@audited("enterprises.CreditLog")
def credit_event_from_supervision(*, action, user) -> CreditEvent | None:
    """The credit event of a supervision step (约谈, 责令限期改正, 行政处罚, 黑名单提名), if the
    kind is one and the case has an enterprise. Registered in rectification.hooks; called by
    rectification.services.supervision_record inside its transaction, so the case and the credit
    file never disagree."""
    kind = SUPERVISION_CREDIT_KINDS.get(action.kind)
    case = action.case
    if kind is None or not case.enterprise_id or not case.is_enterprise_subject:
        return None
    parts = [action.get_kind_display(), f"（案件 {case.number}，{case.estate.name}）"]
    detail = action.outcome or action.basis
    if detail:
        parts.append(f"：{detail}")
    return credit_event_record(
        enterprise_id=case.enterprise_id, kind=kind, occurred_on=action.occurred_on, description="".join(parts),
        user=user, decision_number=action.decision_number, source_case=case, source_supervision=action,
    )


@audited("enterprises.CreditLog")
def credit_record_supervision_lifted(*, action, user) -> CreditEvent | None:
    """挂牌督办未按期解除 when a listed supervision is lifted after its deadline (once).
    Registered in rectification.hooks; called by supervision_lift inside its transaction."""
    return credit_record_overdue_supervision(supervision_id=action.pk, today=timezone.localdate(), user=user)


@audited("enterprises.CreditLog")
def credit_record_overdue_supervision(*, supervision_id: int, today: date, user=None) -> CreditEvent | None:
    """Records 挂牌督办未按期解除 once for a listed supervision whose deadline passed before it was
    lifted. Safe to run any number of times (the supervision row is locked and the event is unique
    per supervision and kind). Called by the daily job and by supervision_lift."""
    with transaction.atomic():
        action = (
            SupervisionAction.objects.select_for_update(of=("self",)).select_related("case__estate")
            .filter(pk=supervision_id, kind=SupervisionKind.LISTED_SUPERVISION, deadline__isnull=False).first()
        )
        if (action is None or not action.case.enterprise_id or not action.case.is_enterprise_subject
                or action.deadline >= today):
            return None
        if action.lifted_at is not None and timezone.localdate(action.lifted_at) <= action.deadline:
            return None
        case = action.case
        return credit_event_record(
            enterprise_id=case.enterprise_id, kind=CreditEventKind.SUPERVISION_OVERDUE,
            occurred_on=action.deadline + timedelta(days=1),
            description=f"挂牌督办（案件 {case.number}，{case.estate.name}）未在督办时限 {action.deadline:%Y-%m-%d} 前解除",
            user=user, source_case=case, source_supervision=action,
        )


@audited("enterprises.CreditLog")
def credit_event_add(
    *,
    user,
    enterprise_id: int,
    kind: str,
    occurred_on: date | None,
    description: str,
    points: int | None = None,
    decision_number: str = "",
    source_case_id: int | None = None,
) -> CreditEvent:
    """A credit event entered by the working group on the credit file page (表彰, 拒不整改, …).
    `points` None takes the kind's default; a source case must be visible and the enterprise's."""
    require(user, "credit.record", "登记信用记录")
    enterprise = Enterprise.objects.visible_to(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound("企业不存在或不在您的管辖范围内。")
    if not kind:
        raise MissingField("请选择信用记录类型。")
    if kind not in CreditEventKind.values:
        raise InvalidInput("请选择信用记录类型。")
    occurred_on = _given_date(occurred_on, label="发生日期")
    if occurred_on > timezone.localdate():
        raise InvalidInput("发生日期不能晚于今天。")
    if points is not None:
        if isinstance(points, bool) or not isinstance(points, int):
            raise InvalidInput("分值须为整数。")
        if abs(points) > 100:
            raise InvalidInput("分值须在 -100 到 100 之间。")
    source_case = None
    if source_case_id is not None:
        source_case = Case.objects.visible_to(user).filter(pk=source_case_id, enterprise=enterprise).first()
        if source_case is None:
            raise InvalidInput("来源案件不存在、不在您的管辖范围内或不属于该企业。")
    return credit_event_record(
        enterprise_id=enterprise.pk, kind=kind, occurred_on=occurred_on, description=description,
        user=user, points=points, decision_number=decision_number, source_case=source_case,
    )


@audited("enterprises.CreditLog")
def credit_event_publish(*, user, event_id: int, published: bool = True) -> CreditEvent:
    require(user, "credit.record", "公开信用记录")
    with transaction.atomic():
        event = CreditEvent.objects.visible_to(user).select_for_update().filter(pk=event_id).first()
        if event is None:
            raise NotFound("信用记录不存在或不在您的管辖范围内。")
        if event.withdrawn_at is not None:
            raise InvalidState("已撤销的信用记录不能公开。")
        if event.is_published != published:
            _log(kind=CreditLogKind.EVENT_PUBLISHED, actor=user, enterprise_id=event.enterprise_id,
                 from_state=str(event.is_published), to_state=str(published), credit_event_id=event.pk)
        event.is_published = published
        event.save(update_fields=["is_published"])
    return event


@audited("enterprises.CreditLog")
def credit_event_withdraw(*, user, event_id: int, reason: str) -> CreditEvent:
    """撤销: an event recorded in error stops counting and leaves the public page; it is kept
    with its reason, never deleted."""
    require(user, "credit.record", "撤销信用记录")
    reason = _text(reason, label="撤销理由")
    if not reason:
        raise InvalidInput("撤销信用记录须填写理由。")
    with transaction.atomic():
        event = CreditEvent.objects.visible_to(user).select_for_update().filter(pk=event_id).first()
        if event is None:
            raise NotFound("信用记录不存在或不在您的管辖范围内。")
        if event.withdrawn_at is not None:
            raise Conflict("该信用记录已撤销。")
        event.withdrawn_at, event.withdraw_reason, event.is_published = timezone.now(), reason, False
        event.save(update_fields=["withdrawn_at", "withdraw_reason", "is_published"])
        _log(kind=CreditLogKind.EVENT_WITHDRAWN, actor=user, enterprise_id=event.enterprise_id, note=reason,
             credit_event_id=event.pk)
    return event


# ---------------------------------------------------------------------------------------------
# Evaluation (红黑榜评定)


@audited("enterprises.CreditLog")
def evaluation_open(*, user, jurisdiction_id: int, period_start, period_end, title: str = "") -> Evaluation:
    """Opens an evaluation of a county (or a town of it) for a period and proposes red, black or
    neither for every enterprise serving an estate there, from the county's rules (recorded with
    the evaluation so the proposals can be explained later). County working group only."""
    require(user, "evaluation.manage", "发起红黑榜评定")
    period_start = _date(period_start, label="评定期间起")
    period_end = _date(period_end, label="评定期间止")
    if period_end < period_start:
        raise InvalidInput("评定期间止不能早于起始日期。")
    if (period_end - period_start).days > 366 * 2:
        raise InvalidInput("评定期间最长两年。")
    try:
        jurisdiction_id = int(jurisdiction_id)
    except (TypeError, ValueError):
        raise InvalidInput("请选择评定范围。") from None
    jurisdiction = Region.objects.visible_to(user).filter(pk=jurisdiction_id, level__gte=RegionLevel.COUNTY).first()
    if jurisdiction is None:
        raise NotFound("评定范围不存在或不在您的管辖范围内。")
    county = regions.county_of(jurisdiction)
    title = _text(title, limit=200, label="评定名称") or (
        f"{jurisdiction.full_name}物业服务企业红黑榜评定（{period_start:%Y年%m月}—{period_end:%Y年%m月}）")
    with transaction.atomic():
        rules = credit_rules.rules_for_county(county)
        evaluation = Evaluation.objects.create(
            title=title, jurisdiction=jurisdiction, period_start=period_start, period_end=period_end,
            rules_snapshot=rules, created_by=user,
        )
        proposals = credit_rules.proposals_for(
            jurisdiction=jurisdiction, period_start=period_start, period_end=period_end,
            today=timezone.localdate(), rules=rules,
        )
        Proposal.objects.bulk_create([
            Proposal(evaluation=evaluation, enterprise_id=enterprise_id, proposed=proposed, reasons=reasons, metrics=metrics)
            for enterprise_id, (proposed, reasons, metrics) in sorted(proposals.items())
        ])
        _log(kind=CreditLogKind.EVALUATION_OPENED, actor=user, evaluation=evaluation,
             note=f"系统对 {len(proposals)} 家企业提出建议。", rules=rules)
    return evaluation


def _lock_evaluation(*, user, evaluation_id: int) -> Evaluation:
    evaluation = Evaluation.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=evaluation_id).first()
    if evaluation is None or not user.sees_everything and not evaluation.jurisdiction.path.startswith(user.region.path):
        raise NotFound("评定不存在或不在您的管辖范围内。")
    return evaluation


@audited("enterprises.CreditLog")
def proposal_decide(*, user, proposal_id: int, decision: str, reason: str = "", final: str = "") -> Proposal:
    """The working group's decision on one proposal: accept (采纳), reject (不采纳: not listed) or
    change (改为 red / black / none). A written reason is required except to accept "不列入"."""
    require(user, "evaluation.manage", "决定评定结果")
    if decision not in (ProposalDecision.ACCEPTED, ProposalDecision.REJECTED, ProposalDecision.CHANGED):
        raise InvalidInput("请选择采纳、不采纳或改为其他结果。")
    reason = _text(reason, label="决定理由")
    with transaction.atomic():
        proposal = (
            Proposal.objects.visible_to(user).select_for_update(of=("self",)).select_related("evaluation")
            .filter(pk=proposal_id).first()
        )
        if proposal is None:
            raise NotFound("评定建议不存在或不在您的管辖范围内。")
        _lock_evaluation(user=user, evaluation_id=proposal.evaluation_id)
        if proposal.evaluation.status != EvaluationStatus.OPEN:
            raise InvalidState("评定已公布，不能再修改决定。")
        if decision == ProposalDecision.ACCEPTED:
            result = proposal.proposed
        elif decision == ProposalDecision.REJECTED:
            if proposal.proposed == ListType.NONE:
                raise InvalidInput("建议结果为“不列入”，如需列入请选择“改为其他结果”。")
            result = ListType.NONE
        else:
            if final not in ListType.values:
                raise InvalidInput("请选择改为的结果（红榜、黑榜或不列入）。")
            if final == proposal.proposed:
                raise InvalidInput("改为的结果与建议结果相同，请直接采纳。")
            result = final
        if not reason and not (decision == ProposalDecision.ACCEPTED and result == ListType.NONE):
            raise InvalidInput(f"“{ProposalDecision(decision).label}”须填写书面理由。")
        _log(kind=CreditLogKind.PROPOSAL_DECIDED, actor=user, evaluation=proposal.evaluation,
             enterprise_id=proposal.enterprise_id, from_state=proposal.final or proposal.proposed, to_state=result,
             note=reason, decision=decision, previous_decision=proposal.decision, proposal_id=proposal.pk)
        proposal.decision, proposal.final, proposal.decision_reason = decision, result, reason
        proposal.decided_by, proposal.decided_at = user, timezone.now()
        proposal.save(update_fields=["decision", "final", "decision_reason", "decided_by", "decided_at"])
    return proposal


@audited("enterprises.CreditLog")
def evaluation_publish(*, user, evaluation_id: int, decision_number: str, decided_on, valid_until, basis: str = "") -> Evaluation:
    """Records the decision (文号, 认定日期, 有效期) and publishes the list: one ListEntry per red or
    black result. Every red or black proposal must have been decided; undecided "不列入" proposals
    are accepted as proposed."""
    require(user, "evaluation.manage", "公布红黑榜")
    decision_number = _text(decision_number, limit=100, label="决定文号")
    if not decision_number:
        raise InvalidInput("请填写决定文号。")
    decided_on = _date(decided_on, label="认定日期")
    valid_until = _date(valid_until, label="有效期至")
    if valid_until < decided_on:
        raise InvalidInput("有效期至不能早于认定日期。")
    basis = _text(basis, label="认定依据") or "物业服务企业红黑榜评定规则"
    with transaction.atomic():
        evaluation = _lock_evaluation(user=user, evaluation_id=evaluation_id)
        if evaluation.status != EvaluationStatus.OPEN:
            raise InvalidState("该评定已公布。")
        proposals = list(evaluation.proposals.select_for_update().order_by("pk"))
        undecided = [p for p in proposals if p.decision == ProposalDecision.PENDING and p.proposed != ListType.NONE]
        if undecided:
            raise InvalidState(f"还有 {len(undecided)} 家企业的红/黑榜建议未作决定，请逐一决定后再公布。")
        now = timezone.now()
        pending_none = [p.pk for p in proposals if p.decision == ProposalDecision.PENDING]
        Proposal.objects.filter(pk__in=pending_none).update(
            decision=ProposalDecision.ACCEPTED, final=ListType.NONE, decision_reason="按建议不列入", decided_by=user,
            decided_at=now,
        )
        authority = f"{evaluation.jurisdiction.full_name}物业服务专项整治工作专班"
        entries = []
        for p in proposals:
            if p.decision == ProposalDecision.PENDING or p.final not in (ListType.RED, ListType.BLACK):
                continue
            # The rules' notes on missing data (暂无…) explain the proposal, not the decision.
            met = [r for r in p.reasons if "暂无" not in r]
            reason = "；".join(met) if p.decision == ProposalDecision.ACCEPTED else p.decision_reason
            if p.decision == ProposalDecision.ACCEPTED and p.decision_reason:
                reason = f"{reason}。{p.decision_reason}" if reason else p.decision_reason
            entries.append(ListEntry(
                evaluation=evaluation, proposal=p, enterprise_id=p.enterprise_id, list_type=p.final,
                reason=reason[:2000] or p.decision_reason, basis=basis, authority=authority[:100],
                decision_number=decision_number, decided_on=decided_on, valid_from=decided_on, valid_until=valid_until,
            ))
        ListEntry.objects.bulk_create(entries)
        evaluation.status, evaluation.decision_number, evaluation.decided_on = EvaluationStatus.PUBLISHED, decision_number, decided_on
        evaluation.valid_until, evaluation.basis, evaluation.published_by, evaluation.published_at = valid_until, basis, user, now
        evaluation.save()
        _log(kind=CreditLogKind.EVALUATION_PUBLISHED, actor=user, evaluation=evaluation, to_state=decision_number,
             note=f"列入红榜 {sum(e.list_type == ListType.RED for e in entries)} 家、黑榜 "
                  f"{sum(e.list_type == ListType.BLACK for e in entries)} 家。")
    return evaluation


@audited("enterprises.CreditLog")
def list_entry_end(*, user, entry_id: int, ended_on, reason: str) -> ListEntry:
    """信用修复 / 撤销: ends a list entry before its validity by a recorded decision."""
    require(user, "evaluation.manage", "移出红黑榜")
    ended_on = _date(ended_on, label="移出日期")
    reason = _text(reason, label="移出理由")
    if not reason:
        raise InvalidInput("提前移出须填写理由（如整改到位、信用修复的决定）。")
    with transaction.atomic():
        entry = ListEntry.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=entry_id).first()
        if entry is None:
            raise NotFound("名单不存在或不在您的管辖范围内。")
        if entry.ended_on is not None:
            raise Conflict("该名单已提前移出。")
        if not entry.valid_from <= ended_on <= entry.valid_until:
            raise InvalidInput("移出日期须在有效期内。")
        entry.ended_on, entry.end_reason, entry.ended_by = ended_on, reason, user
        entry.save(update_fields=["ended_on", "end_reason", "ended_by"])
        _log(kind=CreditLogKind.ENTRY_ENDED, actor=user, evaluation_id=entry.evaluation_id, enterprise_id=entry.enterprise_id,
             from_state=entry.list_type, to_state="ended", note=reason, list_entry_id=entry.pk,
             ended_on=ended_on.isoformat())
    return entry


@audited("enterprises.CreditLog")
def objection_file(*, user, entry_id: int, content: str) -> Objection:
    """异议: an enterprise user objects to its own list entry; one open objection at a time."""
    require(user, "credit.view_own", message="只有物业服务企业用户可以对本企业的认定提出异议。")
    content = _text(content, label="异议内容")
    if len(content) < 5:
        raise InvalidInput("请写明异议的事实和理由（至少 5 个字）。")
    with transaction.atomic():
        entry = (
            ListEntry.objects.visible_to(user).select_for_update(of=("self",))
            .filter(pk=_id(entry_id, what="名单")).first()
        )
        if entry is None:
            raise NotFound("名单不存在或不属于本企业。")
        if entry.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise Conflict("已有待答复的异议，请等待答复。")
        objection = Objection.objects.create(entry=entry, enterprise_id=entry.enterprise_id, content=content,
                                             filed_by=user)
        _log(kind=CreditLogKind.OBJECTION_FILED, actor=user, evaluation_id=entry.evaluation_id,
             enterprise_id=entry.enterprise_id, note=content,
             list_entry_id=entry.pk, objection_id=objection.pk)
        return objection


@audited("enterprises.CreditLog")
def objection_answer(*, user, objection_id: int, outcome: str, answer: str) -> Objection:
    """The working group's answer on the record; 撤销认定 ends the entry the same day."""
    require(user, "objection.answer", "答复异议")
    if outcome not in ObjectionOutcome.values:
        raise InvalidInput("请选择维持原认定或撤销认定。")
    answer = _text(answer, label="答复意见")
    if not answer:
        raise InvalidInput("请填写答复意见。")
    with transaction.atomic():
        objection = (
            Objection.objects.visible_to(user).select_for_update(of=("self",)).select_related("entry")
            .filter(pk=objection_id).first()
        )
        if objection is None:
            raise NotFound("异议不存在或不在您的管辖范围内。")
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict("该异议已答复。")
        objection.status, objection.outcome, objection.answer = ObjectionStatus.ANSWERED, outcome, answer
        objection.answered_by, objection.answered_at = user, timezone.now()
        objection.save()
        entry = objection.entry
        if outcome == ObjectionOutcome.REVOKED and entry.ended_on is None:
            today = timezone.localdate()
            entry.ended_on = max(min(today, entry.valid_until), entry.valid_from)
            entry.end_reason, entry.ended_by = f"异议成立，撤销认定：{answer}", user
            entry.save(update_fields=["ended_on", "end_reason", "ended_by"])
        _log(kind=CreditLogKind.OBJECTION_ANSWERED, actor=user, evaluation_id=entry.evaluation_id,
             enterprise_id=objection.enterprise_id,
             to_state=outcome, note=answer, list_entry_id=entry.pk, objection_id=objection.pk)
    return objection


# ---------------------------------------------------------------------------------------------
# Exit mechanism (退出机制)


@audited("enterprises.CreditLog")
def exit_open(
    *,
    user,
    estate_id: int,
    reason: str,
    decision: str,
    decision_date: date | None,
    notice_date: date | None,
    handover_deadline: date | None,
    new_enterprise: Enterprise | None = None,
    new_manager_name: str = "",
) -> ExitRecord:
    """Records an enterprise's exit from an estate and its handover checklist. The estate keeps
    its serving enterprise until the handover completes. The new manager is another enterprise
    (`new_enterprise`) or, when the owners manage themselves, a name (`new_manager_name`)."""
    require(user, "exit.manage", "登记退出")
    if not reason:
        raise MissingField("请选择退出原因。")
    if reason not in ExitReason.values:
        raise InvalidInput("请选择退出原因。")
    decision = _text(decision, label="决议/决定情况")
    if not decision:
        raise MissingField("请填写业主大会决议或合同终止情况。")
    decision_date = _given_date(decision_date, label="决议日期")
    notice_date = _given_date(notice_date, label="通知日期")
    deadline = _given_date(handover_deadline, label="移交期限")
    if deadline < notice_date:
        raise InvalidInput("移交期限不能早于通知日期。")
    new_name = _text(new_manager_name, limit=100, label="新管理人")
    if new_enterprise is not None and not isinstance(new_enterprise, Enterprise):
        raise InvalidInput("新物业服务企业无效（不能是退出的企业）。")
    with transaction.atomic():
        estate = (
            Estate.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=_id(estate_id, what="小区")).first()
        )
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        if not estate.enterprise_id:
            raise InvalidState("该小区没有在服务的物业服务企业。")
        if estate.exits.filter(status__in=[ExitStatus.IN_PROGRESS, ExitStatus.OVERDUE]).exists():
            raise Conflict("该小区已有进行中的退出移交。")
        if new_enterprise is not None and new_enterprise.pk == estate.enterprise_id:
            raise InvalidInput("新物业服务企业无效（不能是退出的企业）。")
        if new_enterprise is None and not new_name:
            raise MissingField("请选择新物业服务企业，或填写新管理人（业主自行管理时）。")
        record = ExitRecord.objects.create(
            estate=estate, enterprise_id=estate.enterprise_id, reason=reason, decision=decision,
            decision_date=decision_date, notice_date=notice_date, handover_deadline=deadline,
            new_enterprise=new_enterprise, new_manager_name=new_name, created_by=user,
        )
        HandoverItem.objects.bulk_create([HandoverItem(exit_record=record, item=code) for code, _ in HANDOVER_ITEMS])
        _log(kind=CreditLogKind.EXIT_OPENED, actor=user, enterprise_id=record.enterprise_id, to_state=record.status,
             note=decision, exit_id=record.pk, estate_id=estate.pk, reason=reason,
             handover_deadline=deadline.isoformat())
    return record


def _lock_exit(*, user, exit_id: int) -> ExitRecord:
    record = ExitRecord.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=exit_id).first()
    if record is None:
        raise NotFound("退出记录不存在或不在您的管辖范围内。")
    return record


@audited("enterprises.CreditLog")
def handover_tick(*, user, item_id: int, done_on, evidence: str) -> HandoverItem:
    """Ticks one handover item with its date and evidence; the last one completes the handover and
    only then changes the estate's serving enterprise."""
    require(user, "exit.manage", "确认移交事项")
    done_on = _date(done_on, label="移交日期")
    if done_on > timezone.localdate():
        raise InvalidInput("移交日期不能晚于今天。")
    evidence = _text(evidence, label="佐证说明")
    if not evidence:
        raise InvalidInput("请填写移交佐证（交接清单、签字确认书等）。")
    with transaction.atomic():
        item = HandoverItem.objects.filter(pk=_id(item_id, what="移交事项"), exit_record__in=ExitRecord.objects.visible_to(user)).first()
        if item is None:
            raise NotFound("移交事项不存在或不在您的管辖范围内。")
        record = _lock_exit(user=user, exit_id=item.exit_record_id)
        if record.status == ExitStatus.COMPLETED:
            raise InvalidState("移交已完成。")
        item = HandoverItem.objects.select_for_update().get(pk=item.pk)
        if item.done_on is not None:
            raise Conflict("该事项已确认移交。")
        item.done_on, item.evidence, item.checked_by = done_on, evidence, user
        item.save(update_fields=["done_on", "evidence", "checked_by"])
        from_status = record.status
        if not record.handover_items.filter(done_on__isnull=True).exists():
            record.status, record.completed_on = ExitStatus.COMPLETED, done_on
            record.save(update_fields=["status", "completed_on"])
            Estate.objects.filter(pk=record.estate_id).update(enterprise=record.new_enterprise)
        _log(kind=CreditLogKind.HANDOVER_TICKED, actor=user, enterprise_id=record.enterprise_id,
             from_state=from_status, to_state=record.status, note=evidence, exit_id=record.pk,
             handover_item_id=item.pk, item=item.item, done_on=done_on.isoformat())
    return item


@audited("enterprises.CreditLog")
def exit_record_overdue(*, exit_id: int, today: date) -> bool:
    """A handover past its deadline opens one case (未履行移交义务) and adds a 拒不退出 credit
    event. Safe to run any number of times: the exit is claimed with a conditional update."""
    with transaction.atomic():
        claimed = ExitRecord.objects.filter(
            pk=exit_id, status=ExitStatus.IN_PROGRESS, handover_deadline__lt=today, overdue_case__isnull=True
        ).update(status=ExitStatus.OVERDUE)
        if not claimed:
            return False
        record = ExitRecord.objects.select_related("estate", "enterprise").get(pk=exit_id)
        category = ProblemCategory.objects.filter(code="A4").first() or ProblemCategory.objects.get(code="F2")
        description = (
            f"{record.enterprise.name}未在移交期限（{record.handover_deadline:%Y-%m-%d}）内退出{record.estate.name}"
            "并移交物业服务用房、相关设施及资料。"
        )
        case, _clue, _created = case_open_or_join(
            estate=record.estate, category=category, campaign=None, source=ClueSource.AUTO_CHECK,
            reference=f"退出记录 {record.pk}", description=description,
            source_app_label="enterprises", source_object_id=record.pk,
        )
        record.overdue_case = case
        record.save(update_fields=["overdue_case"])
        _log(kind=CreditLogKind.EXIT_OVERDUE, enterprise_id=record.enterprise_id, from_state=ExitStatus.IN_PROGRESS,
             to_state=ExitStatus.OVERDUE, note=description, exit_id=record.pk, case_id=case.pk)
        credit_event_record(
            enterprise_id=record.enterprise_id, kind=CreditEventKind.REFUSED_EXIT,
            occurred_on=record.handover_deadline + timedelta(days=1), description=description,
            source_case=case, source_exit=record, estate=record.estate,
        )
    return True


@audited("enterprises.CreditLog")
def exit_litigation_record(
    *, user, exit_id: int, court: str, case_number: str, stage: str, outcome: str = ""
) -> ExitLitigation:
    """诉讼进展 of an exit whose enterprise will not leave: the court, its case number and stage."""
    require(user, "exit.manage", "登记诉讼进展")
    court, number = _text(court, limit=100, label="受理法院"), _text(case_number, limit=100, label="案号")
    if not court or not number:
        raise MissingField("请填写受理法院和案号。")
    if not stage:
        raise MissingField("请选择诉讼阶段。")
    if stage not in LitigationStage.values:
        raise InvalidInput("请选择诉讼阶段。")
    outcome = _text(outcome, label="进展/结果")
    with transaction.atomic():
        record = _lock_exit(user=user, exit_id=exit_id)
        litigation = ExitLitigation.objects.create(
            exit_record=record, court=court, case_number=number, stage=stage, outcome=outcome, recorded_by=user,
        )
        _log(kind=CreditLogKind.LITIGATION_RECORDED, actor=user, enterprise_id=record.enterprise_id, to_state=stage,
             note=outcome, exit_id=record.pk, litigation_id=litigation.pk, court=court, case_number=number)
    return litigation


@audited("enterprises.CreditLog")
def exit_refer_market_regulation(*, user, exit_id: int, referred_on, note: str) -> ExitRecord:
    require(user, "exit.manage", "登记报告市场监管")
    referred_on = _date(referred_on, label="报告日期")
    with transaction.atomic():
        record = _lock_exit(user=user, exit_id=exit_id)
        if record.market_regulation_referred_on is not None:
            raise Conflict("已登记报告市场监管。")
        record.market_regulation_referred_on, record.referral_note = referred_on, _text(note, label="报告情况")
        record.save(update_fields=["market_regulation_referred_on", "referral_note"])
        _log(kind=CreditLogKind.MARKET_REFERRAL, actor=user, enterprise_id=record.enterprise_id,
             note=record.referral_note, exit_id=record.pk, referred_on=referred_on.isoformat())
    return record


@audited("enterprises.CreditLog")
def exit_decision_fill(*, user, exit_id: int, decision: str, decision_date: date, notice_date: date,
                       handover_deadline: date) -> ExitRecord:
    """Fills an exit in progress with the owners' decision that dismissed the enterprise (an exit
    registered before the vote closed): its text, dates and the handover deadline."""
    require(user, "exit.manage", "登记退出")
    if handover_deadline < notice_date:
        raise InvalidInput("移交期限不能早于通知日期。")
    with transaction.atomic():
        record = _lock_exit(user=user, exit_id=exit_id)
        if record.status == ExitStatus.COMPLETED:
            raise InvalidState("移交已完成。")
        record.reason, record.decision = ExitReason.DISMISSED, _text(decision, label="决议/决定情况")
        record.decision_date, record.notice_date, record.handover_deadline = decision_date, notice_date, handover_deadline
        record.save(update_fields=["reason", "decision", "decision_date", "notice_date", "handover_deadline"])
        _log(kind=CreditLogKind.EXIT_OPENED, actor=user, enterprise_id=record.enterprise_id, to_state=record.status,
             note=record.decision, exit_id=record.pk, estate_id=record.estate_id, reason=record.reason,
             handover_deadline=handover_deadline.isoformat())
    return record



# ---------------------------------------------------------------------------------------------
# Service-level regrading (重新核定服务等级, 山西)


def _money(value, *, label: str, required: bool = True) -> Decimal | None:
    if value is None:
        if required:
            raise MissingField(f"请填写{label}。")
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise InvalidInput(f"{label}须为数字（元/㎡·月）。")
    amount = Decimal(value).quantize(Decimal("0.01"))
    if amount < 0:
        raise InvalidInput("收费标准不能为负数。")
    if amount >= 10**12:
        raise InvalidInput(f"{label}过大。")
    return amount


@audited("enterprises.CreditLog")
def service_level_regrade(
    *,
    user,
    estate_id: int,
    to_level: str,
    fee_after: Decimal | None,
    decision_number: str,
    effective_on: date | None,
    reason: str,
    fee_before: Decimal | None = None,
) -> ServiceLevelChange:
    """Regrades an estate's service level and fee for an enterprise that refuses or fails
    rectification (an overdue open case at the estate, or a 拒不整改 event in its credit file).
    Records the decision and effective date; the estate's service level changes with it."""
    require(user, "grade.reassess", "重新核定服务等级")
    if not to_level:
        raise MissingField("请选择核定后的服务等级。")
    if to_level not in ServiceLevel.values:
        raise InvalidInput("请选择核定后的服务等级。")
    fee_after = _money(fee_after, label="核定后收费标准")
    decision_number = _text(decision_number, limit=100, label="决定文号")
    reason = _text(reason, label="核定理由")
    if not decision_number or not reason:
        raise MissingField("请填写决定文号和核定理由。")
    effective_on = _given_date(effective_on, label="执行日期")
    fee_before = _money(fee_before, label="原收费标准", required=False)
    with transaction.atomic():
        estate = Estate.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=estate_id).first()
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        if not estate.enterprise_id:
            raise InvalidState("该小区没有在服务的物业服务企业。")
        refuses = (
            Case.objects.of_enterprises().filter(estate=estate, enterprise_id=estate.enterprise_id).overdue().exists()
            or CreditEvent.objects.filter(enterprise_id=estate.enterprise_id, kind=CreditEventKind.REFUSED_RECTIFICATION,
                                          withdrawn_at__isnull=True).exists()
        )
        if not refuses:
            raise InvalidState("只有对拒不整改或整改到期仍不到位的企业才能重新核定服务等级。")
        if to_level == estate.service_level:
            raise InvalidInput("核定后的服务等级与现等级相同。")
        change = ServiceLevelChange.objects.create(
            estate=estate, enterprise_id=estate.enterprise_id, from_level=estate.service_level, to_level=to_level,
            fee_before=fee_before, fee_after=fee_after, decision_number=decision_number, effective_on=effective_on,
            reason=reason, recorded_by=user,
        )
        estate.service_level = to_level
        estate.save(update_fields=["service_level"])
        _log(kind=CreditLogKind.LEVEL_REGRADED, actor=user, enterprise_id=change.enterprise_id,
             from_state=change.from_level, to_state=to_level, note=reason, service_level_change_id=change.pk,
             estate_id=estate.pk, decision_number=decision_number, fee_after=str(fee_after))
    return change
