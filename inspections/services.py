"""Writes of the inspection ledger. Every function is keyword-only, runs in one transaction,
checks scope, role and state, and raises a core.errors.DomainError with a Chinese message.
Failures become cases only through rectification.services.case_open_or_join."""

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.capabilities import require
from accounts.models import User
from campaigns.models import Campaign, ProblemCategory
from communities.models import Estate, Region, RegionLevel
from core.audit import audited, not_audited
from core.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from core.files import validate_uploads
from core.workdays import add_working_days
from rectification.models import ClueSource
from rectification.services import case_default_deadline_set, case_open_or_join

from . import selectors
from .models import (
    ChecklistItem,
    InspectionEvent,
    InspectionEventKind,
    InspectionRound,
    LineResult,
    SpotCheckCandidate,
    SpotCheckDraw,
    Visit,
    VisitKind,
    VisitLine,
    VisitPhoto,
    VisitStatus,
)
from .sampling import weighted_sample

#: the case source each visit kind opens its cases with
CASE_SOURCE = {
    VisitKind.INSPECTION: ClueSource.INSPECTION,
    VisitKind.SELF_CHECK: ClueSource.SELF_CHECK,
    VisitKind.SPOT_CHECK: ClueSource.SPOT_CHECK,
}
#: default rectification deadline (working days) of a case a visit opens; an enterprise's own
#: self-check gets a softer one, to reward finding its problems before others do
DEFAULT_DEADLINE_WORKDAYS = {VisitKind.INSPECTION: 15, VisitKind.SPOT_CHECK: 15, VisitKind.SELF_CHECK: 30}
#: the capability (accounts.capabilities) that records each kind of visit
KIND_CAPABILITIES = {
    VisitKind.INSPECTION: "inspection.record",
    VisitKind.SELF_CHECK: "self_check.record",
    VisitKind.SPOT_CHECK: "spot_check.record",
}
MAX_TEXT = 2000


def _text(value, *, label: str, max_length: int = MAX_TEXT) -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) > max_length:
        raise InvalidInput(f"{label}过长（最多 {max_length} 字）。")
    return text


def _date(value, *, label: str, required: bool = True) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"请填写{label}。")
        return None
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{label}格式不正确，请使用 YYYY-MM-DD。")
    return parsed


def _event(*, kind: str, user: User | None, round=None, visit=None, draw=None, from_state: str = "",
           to_state: str = "", note: str = "", **data) -> InspectionEvent:
    """One row of the inspections log, in the caller's transaction."""
    return InspectionEvent.objects.create(
        kind=kind, actor=user if user is not None and user.is_authenticated else None, round=round, visit=visit,
        draw=draw, from_state=from_state, to_state=to_state, note=note[:2000], data=data,
    )


# ---------------------------------------------------------------------------------------------
# Rounds and their checklist


@not_audited("builds the checklist inside round_create and checklist_update, whose events name it")
def checklist_from_taxonomy(*, round: InspectionRound, categories=None) -> int:
    """Builds a round's checklist: each active leaf category a line, grouped under its parent,
    in the plan's wording. Returns the number of lines created."""
    if categories is None:
        categories = selectors.leaf_categories()
    categories = categories.select_related("parent").order_by("sort_order", "code")
    existing = set(ChecklistItem.objects.filter(round=round).values_list("category_id", flat=True))
    items = [
        ChecklistItem(
            round=round, category=c, group_label=c.parent.label if c.parent_id else c.label, label=c.label,
            description=c.description, sort_order=c.sort_order,
        )
        for c in categories
        if c.pk not in existing
    ]
    ChecklistItem.objects.bulk_create(items)
    return len(items)


@audited("inspections.InspectionEvent")
def round_create(
    *, user: User, name: str, region_id: int, start_date, end_date, campaign_id: int | None = None, note: str = ""
) -> InspectionRound:
    """Opens an inspection round over a county or town within the user's scope, with its
    checklist built from the taxonomy. County working group or a town."""
    require(user, "round.manage", "发起排查轮次")
    name = _text(name, label="轮次名称", max_length=200)
    if not name:
        raise InvalidInput("请填写轮次名称。")
    start, end = _date(start_date, label="开始日期"), _date(end_date, label="结束日期")
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。")
    region = _visible(Region.objects.visible_to(user), region_id)
    if region is None or region.level not in (RegionLevel.COUNTY, RegionLevel.TOWN):
        raise InvalidInput("排查范围须为您管辖范围内的县/区或镇/街道。")
    if not user.sees_everything and not region.path.startswith(user.region.path):
        raise InvalidInput("排查范围须在您的管辖范围内。")
    campaign = None
    if campaign_id:
        campaign = Campaign.objects.visible_to(user).filter(pk=campaign_id).first()
        if campaign is None:
            raise InvalidInput("专项整治行动不存在或不在您的管辖范围内。")
    with transaction.atomic():
        round = InspectionRound.objects.create(
            name=name, region=region, campaign=campaign, start_date=start, end_date=end,
            note=_text(note, label="说明"), created_by=user,
        )
        lines = checklist_from_taxonomy(round=round)
        _event(kind=InspectionEventKind.ROUND_CREATED, user=user, round=round, note=round.name,
               region_id=region.pk, checklist_lines=lines)
    return round


def _round_for_edit(*, user: User, round_id: int) -> InspectionRound:
    require(user, "round.manage", "编辑检查清单")
    round = InspectionRound.objects.visible_to(user).select_related("region").filter(pk=round_id).first()
    if round is None:
        raise NotFound("排查轮次不存在或不在您的管辖范围内。")
    if not user.sees_everything and not round.region.path.startswith(user.region.path):
        raise PermissionDenied("只有发起本轮排查的单位可以编辑检查清单。")
    return round


@audited("inspections.InspectionEvent")
def checklist_update(*, user: User, round_id: int, changes: dict[int, dict], add_category_id: int | None = None) -> int:
    """Edits a round's checklist: relabels or switches off lines ({item_id: {"label", "is_active"}})
    and adds a taxonomy category. Lines already answered in visits keep their answers; a line
    switched off is simply not asked in new visits. Returns the number of lines changed."""
    with transaction.atomic():
        round = _round_for_edit(user=user, round_id=round_id)
        items = {i.pk: i for i in ChecklistItem.objects.select_for_update().filter(round=round, pk__in=list(changes))}
        changed = []
        for item_id, values in changes.items():
            item = items.get(item_id)
            if item is None:
                raise NotFound("检查清单项不存在。")
            label = _text(values.get("label"), label="检查内容", max_length=200)
            if not label:
                raise InvalidInput("检查内容不能为空。")
            is_active = bool(values.get("is_active"))
            if (label, is_active) != (item.label, item.is_active):
                item.label, item.is_active = label, is_active
                changed.append(item)
        ChecklistItem.objects.bulk_update(changed, ["label", "is_active"])
        if add_category_id:
            category = ProblemCategory.objects.filter(pk=add_category_id, is_active=True).first()
            if category is None:
                raise InvalidInput("问题类别不存在或已停用。")
            if ChecklistItem.objects.filter(round=round, category=category).exists():
                raise InvalidInput(f"“{category.label}”已在检查清单中。")
            checklist_from_taxonomy(round=round, categories=ProblemCategory.objects.filter(pk=category.pk))
            changed.append(category)
        if changed:
            _event(kind=InspectionEventKind.CHECKLIST_CHANGED, user=user, round=round,
                   item_ids=[i.pk for i in changed if isinstance(i, ChecklistItem)],
                   added_category_id=add_category_id or None)
    return len(changed)


# ---------------------------------------------------------------------------------------------
# Visits


def _check_estate(*, user: User, kind: str, estate_id, round: InspectionRound | None, draw: SpotCheckDraw | None) -> Estate:
    estate = _visible(Estate.objects.visible_to(user).select_related("community"), estate_id)
    if estate is None:
        raise NotFound("小区不存在或不在您的管辖范围内。")
    if round is not None and not estate.community.path.startswith(round.region.path):
        raise InvalidInput(f"“{estate.name}”不在本轮排查范围（{round.region.name}）内。")
    if kind == VisitKind.SPOT_CHECK:
        if draw is None:
            raise InvalidInput("四不两直抽查记录须关联抽查批次。")
        if not SpotCheckCandidate.objects.filter(draw=draw, estate=estate, position__isnull=False).exists():
            raise InvalidInput(f"“{estate.name}”不在本批次抽中的小区中。")
    return estate


def _visible(queryset, pk):
    """The row with this primary key in an already scoped queryset, or None for a bad id."""
    return queryset.filter(pk=pk).first() if str(pk or "").isdigit() else None


def _resolve_context(*, user: User, kind: str, round_id, spot_draw_id):
    if kind not in VisitKind.values:
        raise InvalidInput("未知的排查类型。")
    require(user, KIND_CAPABILITIES[kind], f"录入{VisitKind(kind).label}记录")
    if kind == VisitKind.SPOT_CHECK:
        draw = _visible(SpotCheckDraw.objects.visible_to(user).select_related("round__region", "round__campaign"),
                        spot_draw_id)
        if draw is None:
            raise NotFound("抽查批次不存在或不在您的管辖范围内。")
        return draw.round, draw
    round = _visible(InspectionRound.objects.visible_to(user).select_related("region", "campaign"), round_id)
    if round is None:
        raise NotFound("排查轮次不存在或不在您的管辖范围内。")
    return round, None


@audited("inspections.InspectionEvent")
def visit_save(
    *,
    user: User,
    kind: str = VisitKind.INSPECTION,
    estate_id: int | None = None,
    round_id: int | None = None,
    spot_draw_id: int | None = None,
    visit_id: int | None = None,
    visited_on: date | None = None,
    inspectors: str = "",
    enterprise_representative: str = "",
    note: str = "",
    lines: dict | None = None,
    photos: dict | None = None,
    submit: bool = False,
) -> Visit:
    """Creates or updates a draft visit and, with `submit`, submits it.

    - `visited_on` (None: today), `inspectors`, `enterprise_representative`, `note`: the header.
    - `lines`: {category_id: {"result": pass|fail|na|"", "note": …}} for the checklist lines
      (the round's active items, or the taxonomy for a spot check outside any round).
    - `photos`: {category_id: [uploaded files]}; images only, checked by their content.

    A draft opens nothing. Submitting requires every line answered and a description on every
    不合格 line; then each 不合格 line opens a case (source: inspection / self-check / spot
    check) or joins the open case of the same estate and category, and points at it. A new case
    gets the kind's default deadline in working days. A submitted visit cannot change (409)."""
    lines = {str(k): v for k, v in (lines or {}).items()}
    photos = {str(k): v for k, v in (photos or {}).items() if v}
    if visited_on is None:
        visited_on = timezone.localdate()
    if not isinstance(visited_on, date):
        raise InvalidInput("排查日期格式不正确，请使用 YYYY-MM-DD。")
    if visited_on > timezone.localdate():
        raise InvalidInput("排查日期不能晚于今天。")
    inspectors = _text(inspectors, label="排查人员", max_length=200)
    representative = _text(enterprise_representative, label="企业代表", max_length=100)
    note = _text(note, label="总体情况")
    cleaned_lines = {}
    for key, values in lines.items():
        result = str((values or {}).get("result") or "")
        if result and result not in LineResult.values:
            raise InvalidInput("检查结果只能是合格、不合格或不适用。")
        cleaned_lines[key] = (result, _text((values or {}).get("note"), label="问题描述"))
    uploads = {key: validate_uploads(files) for key, files in photos.items()}
    for files in uploads.values():
        for upload, content_type in files:
            if not content_type.startswith("image/"):
                raise InvalidInput(f"文件“{upload.name}”不是图片，现场照片只支持 JPG、PNG、GIF、WEBP。")

    with transaction.atomic():
        if visit_id:
            visit = Visit.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=visit_id).first()
            if visit is None:
                raise NotFound("排查记录不存在或不在您的管辖范围内。")
            if visit.status != VisitStatus.DRAFT:
                raise InvalidState("该排查记录已提交，不能再修改。")
            kind = visit.kind
            round, draw = _resolve_context(user=user, kind=kind, round_id=visit.round_id, spot_draw_id=visit.spot_draw_id)
            estate = _check_estate(user=user, kind=kind, estate_id=visit.estate_id, round=round, draw=draw)
        else:
            round, draw = _resolve_context(user=user, kind=kind, round_id=round_id, spot_draw_id=spot_draw_id)
            estate = _check_estate(user=user, kind=kind, estate_id=estate_id, round=round, draw=draw)
            visit = Visit(kind=kind, round=round, spot_draw=draw, estate=estate, created_by=user)
        if round is not None and not round.start_date <= visited_on <= round.end_date:
            raise InvalidInput(f"排查日期须在本轮排查期间（{round.start_date:%Y-%m-%d} 至 {round.end_date:%Y-%m-%d}）内。")
        visit.visited_on, visit.inspectors = visited_on, inspectors
        visit.enterprise_representative, visit.note = representative, note
        visit.save()

        checklist = selectors.visit_checklist(round=round)
        keys = {str(entry.category.pk) for entry in checklist}
        unknown = (set(cleaned_lines) | set(uploads)) - keys
        if unknown:
            raise InvalidInput("检查项不在本轮检查清单中，请刷新页面后重试。")
        existing = {str(line.category_id): line for line in VisitLine.objects.filter(visit=visit)}
        to_create, to_update = [], []
        for entry in checklist:
            key = str(entry.category.pk)
            line = existing.get(key)
            result, line_note = cleaned_lines.get(key, (line.result, line.note) if line else ("", ""))
            if line is None:
                to_create.append(VisitLine(visit=visit, item=entry.item, category=entry.category, result=result, note=line_note))
            elif (line.result, line.note) != (result, line_note):
                line.result, line.note = result, line_note
                to_update.append(line)
        VisitLine.objects.bulk_create(to_create)
        VisitLine.objects.bulk_update(to_update, ["result", "note"])
        by_key = {str(line.category_id): line for line in VisitLine.objects.filter(visit=visit, category_id__in=keys)}
        for key, files in uploads.items():
            for upload, content_type in files:
                VisitPhoto.objects.create(
                    line=by_key[key], file=upload, original_name=upload.name[:200], content_type=content_type,
                    size=upload.size, uploaded_by=user,
                )
        from_state = visit.status
        if submit:
            _submit(visit=visit, user=user, round=round, lines=[by_key[str(e.category.pk)] for e in checklist])
        _event(kind=InspectionEventKind.VISIT_SUBMITTED if submit else InspectionEventKind.VISIT_SAVED, user=user,
               round=round, visit=visit, draw=draw, from_state=from_state, to_state=visit.status,
               photos=sum(len(files) for files in uploads.values()))
    return visit


def _submit(*, visit: Visit, user: User | None, round: InspectionRound | None, lines: list[VisitLine]) -> None:
    unanswered = [line.category.label for line in lines if not line.result]
    if unanswered:
        raise InvalidInput(f"还有 {len(unanswered)} 项未填写检查结果：{'、'.join(unanswered[:5])}{'等' if len(unanswered) > 5 else ''}。")
    undescribed = [line.category.label for line in lines if line.result == LineResult.FAIL and not line.note]
    if undescribed:
        raise InvalidInput(f"不合格项须填写问题描述：{'、'.join(undescribed[:5])}。")
    claimed = Visit.objects.filter(pk=visit.pk, status=VisitStatus.DRAFT).update(
        status=VisitStatus.SUBMITTED, submitted_by=user, submitted_at=timezone.now()
    )
    if not claimed:
        raise InvalidState("该排查记录已提交。")
    visit.status = VisitStatus.SUBMITTED
    failures = [line for line in lines if line.result == LineResult.FAIL]
    open_cases_for_failures(visit=visit, user=user, round=round, failures=failures)


@audited("rectification.CaseEvent")
def open_cases_for_failures(*, visit: Visit, user: User | None, round: InspectionRound | None, failures: list[VisitLine]) -> None:
    workdays = DEFAULT_DEADLINE_WORKDAYS[visit.kind]
    for line in failures:
        case, _clue, created = case_open_or_join(
            estate=visit.estate, category=line.category, campaign=round.campaign if round else None,
            source=CASE_SOURCE[visit.kind], reference=f"{visit.get_kind_display()}记录 {visit.number}",
            description=line.note, received_at=timezone.now(), source_app_label="inspections",
            source_object_id=line.pk, user=user,
        )
        if created:
            deadline = line.deadline
            note = "按台账导入的完成时限设定。"
            if deadline is None:
                deadline = add_working_days(timezone.localdate(), workdays)
                note = f"{visit.get_kind_display()}发现问题，按默认整改时限（{workdays} 个工作日）设定。"
            case_default_deadline_set(case=case, deadline=deadline, user=user, note=note, source="inspections")
        line.case = case
    VisitLine.objects.bulk_update(failures, ["case"])


# ---------------------------------------------------------------------------------------------
# Spot checks (四不两直)


@audited("inspections.InspectionEvent")
def spot_check_draw(
    *,
    user: User,
    region_id,
    sample_size,
    seed=None,
    exclude_recent_days=30,
    round_id=None,
    note: str = "",
) -> SpotCheckDraw:
    """Draws `sample_size` estates of an area for an unannounced spot check, weighted by each
    estate's signals (selectors.spot_check_weight), without replacement, from `seed` (a random
    one if not given) so that the draw can be reproduced. Estates visited (排查 or 抽查, submitted)
    in the last `exclude_recent_days` days are excluded (0: none). Stores every candidate with
    its weight and signals, and the sample's order. County working group only."""
    require(user, "spot_check.draw", "组织四不两直抽查")
    try:
        sample_size = int(sample_size)
        exclude_recent_days = int(exclude_recent_days or 0)
        seed = secrets.randbelow(2**31) if seed in (None, "") else int(seed)
    except (TypeError, ValueError):
        raise InvalidInput("抽取数量、随机种子和排除天数须为整数。") from None
    if not 1 <= sample_size <= 200:
        raise InvalidInput("抽取数量须在 1 到 200 之间。")
    if not 0 <= exclude_recent_days <= 365:
        raise InvalidInput("排除天数须在 0 到 365 之间。")
    if not 0 <= seed < 2**63:
        raise InvalidInput("随机种子须为非负整数。")
    region = _visible(Region.objects.visible_to(user), region_id)
    if region is None or region.level not in (RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.COMMUNITY):
        raise InvalidInput("抽查范围须为您管辖范围内的县/区、镇/街道或社区。")
    round = None
    if round_id:
        round = _visible(InspectionRound.objects.visible_to(user), round_id)
        if round is None:
            raise InvalidInput("排查轮次不存在或不在您的管辖范围内。")
    today = timezone.localdate()
    with transaction.atomic():
        estate_ids = list(
            Estate.objects.visible_to(user).filter(community__path__startswith=region.path).values_list("pk", flat=True)
        )
        if not estate_ids:
            raise InvalidInput("抽查范围内没有小区。")
        recent = set()
        if exclude_recent_days:
            recent = set(
                Visit.objects.submitted()
                .filter(estate_id__in=estate_ids, kind__in=(VisitKind.INSPECTION, VisitKind.SPOT_CHECK),
                        visited_on__gte=today - timedelta(days=exclude_recent_days))
                .values_list("estate_id", flat=True)
            )
        signals = selectors.spot_check_signals(estate_ids=estate_ids, today=today)
        weights = {pk: selectors.spot_check_weight(signals[pk]) for pk in estate_ids}
        eligible = [(pk, weights[pk]) for pk in estate_ids if pk not in recent]
        if not eligible:
            raise InvalidInput(f"范围内的小区在近 {exclude_recent_days} 天内均已检查，没有可抽取的小区。")
        sample = weighted_sample(eligible, sample_size, seed=seed)
        positions = {pk: index for index, pk in enumerate(sample, start=1)}
        draw = SpotCheckDraw.objects.create(
            region=region, round=round, sample_size=sample_size, seed=seed, exclude_recent_days=exclude_recent_days,
            weight_formula=selectors.WEIGHT_FORMULA, note=_text(note, label="说明"), drawn_by=user,
        )
        SpotCheckCandidate.objects.bulk_create(
            SpotCheckCandidate(
                draw=draw, estate_id=pk, weight=weights[pk], signals=signals[pk], position=positions.get(pk),
                excluded_reason=f"近 {exclude_recent_days} 天内已检查" if pk in recent else "",
            )
            for pk in sorted(estate_ids)
        )
        _event(kind=InspectionEventKind.SPOT_CHECK_DRAWN, user=user, round=round, draw=draw, note=draw.note,
               region_id=region.pk, seed=seed, sample=sample)
    return draw


@not_audited("writes nothing: re-runs a stored draw to check it")
def spot_check_redraw(*, draw: SpotCheckDraw) -> list[int]:
    """Re-runs a stored draw from its stored candidates, weights and seed (for the audit)."""
    candidates = draw.candidates.filter(excluded_reason="").values_list("estate_id", "weight")
    return weighted_sample(list(candidates), draw.sample_size, seed=draw.seed)
