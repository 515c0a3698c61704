"""12345 hotline work-order import (12345 工单导入).

Reads the platform's .xlsx export with openpyxl in read-only mode (defusedxml guards the XML),
finds the header row wherever it is (merged title rows, extra, reordered columns and blank rows
are tolerated), previews every row as new / duplicate / error with a Chinese reason, and imports
all importable rows in one transaction or none. Estates are matched by name within the row's
region; a row whose estate does not match is imported as 待匹配小区 for a person to resolve.
Every lookup is done in bulk: the number of queries does not grow with the rows."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from campaigns.models import ProblemCategory
from communities.models import Estate, Region
from core.errors import DomainError
from core.models import CalendarDay
from rectification.clues import clues_open_or_join_bulk
from rectification.models import OPEN_STATES, Case, CaseClue, ClueSource

from . import privacy
from .models import Channel, Complaint, ComplaintEvent, ComplaintEventKind, ComplaintStatus
from .services import campaign_for, deadline_workdays, new_tracking_code

MAX_ROWS = 20000
HEADER_SCAN_ROWS = 30
FALLBACK_CATEGORY_CODE = "F6"

#: column heading (and the names other exports use for it) → field
COLUMNS = {
    "reference": ("工单编号", "工单号", "编号"),
    "received_at": ("来电时间", "受理时间", "登记时间"),
    "name": ("来电人", "来电人姓名", "诉求人", "姓名"),
    "phone": ("联系电话", "来电号码", "电话", "手机号码"),
    "description": ("诉求内容", "来电内容", "问题描述"),
    "region": ("所属区域", "区域", "所属镇街", "镇街"),
    "estate": ("小区名称", "小区", "涉及小区"),
    "category": ("诉求类别", "问题类别", "诉求分类"),
    "deadline": ("办理时限", "办结时限", "处理时限"),
}
REQUIRED = ("reference", "received_at", "description", "estate")
LABELS = {key: names[0] for key, names in COLUMNS.items()}


class ImportRefused(DomainError):
    status_code = 400
    default_message = "导入文件无法识别。"


@dataclass
class Row:
    line: int
    values: dict
    status: str = "new"  # new | duplicate | error
    reasons: list[str] = field(default_factory=list)
    estate: Estate | None = None
    category: ProblemCategory | None = None
    region_path: str = ""
    received_at: datetime | None = None
    deadline: date | None = None
    deadline_days: int | None = None
    phone: str = ""

    @property
    def unmatched(self) -> bool:
        return self.status == "new" and self.estate is None

    @property
    def status_label(self) -> str:
        if self.unmatched:
            return "新增（待匹配小区）"
        return {"new": "新增", "duplicate": "重复", "error": "错误"}[self.status]


@dataclass
class Preview:
    rows: list[Row]
    sha256: str = ""

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self):
        return self.count("new")

    @property
    def duplicates(self):
        return self.count("duplicate")

    @property
    def errors(self):
        return self.count("error")

    @property
    def unmatched(self):
        return [r for r in self.rows if r.unmatched]

    def rows_for_display(self, limit: int = 500) -> list[Row]:
        """Errors and unmatched rows first (they need a person), then the rest, up to `limit`."""
        first = [r for r in self.rows if r.status == "error" or r.unmatched]
        rest = [r for r in self.rows if not (r.status == "error" or r.unmatched)]
        return (first + rest)[:limit]


def _norm(value) -> str:
    return re.sub(r"\s+", "", str(value or "")).replace("：", "").replace(":", "").replace("*", "")


def _header_map(cells) -> dict[int, str]:
    mapping = {}
    for index, cell in enumerate(cells):
        text = _norm(cell)
        for key, names in COLUMNS.items():
            if text in names and key not in mapping.values():
                mapping[index] = key
    return mapping


def rows_from_cells(cells_iter) -> list[tuple[int, dict]]:
    """(line number, {field: raw value}) for every non-blank data row below the header row,
    which is the first of the first HEADER_SCAN_ROWS rows naming enough known columns."""
    mapping, rows = None, []
    for line, cells in enumerate(cells_iter, start=1):
        cells = tuple(cells or ())
        if mapping is None:
            candidate = _header_map(cells)
            if len(candidate) >= 4 and all(k in candidate.values() for k in ("reference", "description")):
                mapping = candidate
                missing = [LABELS[k] for k in REQUIRED if k not in mapping.values()]
                if missing:
                    raise ImportRefused(f"表头缺少必需的列：{'、'.join(missing)}。")
            elif line >= HEADER_SCAN_ROWS:
                break
            continue
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {key: cells[index] if index < len(cells) else None for index, key in mapping.items()}
        rows.append((line, values))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(f"单个文件最多导入 {MAX_ROWS} 行，请拆分后再导入。")
    if mapping is None:
        raise ImportRefused(
            f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头。表头应包含：{'、'.join(LABELS.values())}。"
        )
    return rows


def rows_from_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from io import BytesIO

    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-xlsx file
        raise ImportRefused("无法读取该文件，请上传 12345 平台导出的 .xlsx 文件（不支持 .xls 或 CSV）。") from exc
    try:
        return rows_from_cells(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _raw_rows(source) -> tuple[list[tuple[int, dict]], str]:
    """`source` is the file's bytes (or a file) or already parsed rows."""
    if isinstance(source, list):
        return source, ""
    data = source.read() if hasattr(source, "read") else source
    return rows_from_xlsx(data), hashlib.sha256(data).hexdigest()


def _text(value, limit=2000) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:limit]


DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                    "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y.%m.%d")


def _parse_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(9, 0))
    else:
        text = _text(value)
        parsed = None
        for fmt in DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class WorkCalendar:
    """add_working_days over a range loaded in one query (the import may span months)."""

    def __init__(self, start: date, end: date):
        self.exceptions = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
        )
        self.end = end

    def add(self, start: date, n: int) -> date:
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.exceptions.get(day, day.weekday() < 5):
                left -= 1
        return day


def _estate_index(user: User):
    by_name: dict[str, list[Estate]] = {}
    for estate in Estate.objects.visible_to(user).select_related("community__parent"):
        by_name.setdefault(_norm(estate.name), []).append(estate)
    return by_name


def _match_estate(name: str, region: str, index) -> tuple[Estate | None, str]:
    candidates = index.get(_norm(name), [])
    if region:
        region_n = _norm(region)
        narrowed = [e for e in candidates if _norm(e.community.parent.name) in region_n
                    or _norm(e.community.name) in region_n]
        if narrowed:
            candidates = narrowed
    if len(candidates) == 1:
        return candidates[0], ""
    if not candidates:
        return None, f"小区“{name}”在{region or '您的管辖范围'}内未找到，导入后待人工匹配"
    return None, f"小区“{name}”有 {len(candidates)} 个同名小区，请补充所属区域或导入后人工匹配"


def preview(source, *, user: User) -> Preview:
    """Reads and checks a 12345 file (bytes, a file, or rows from rows_from_cells) without
    writing anything."""
    raw_rows, sha256 = _raw_rows(source)
    result = Preview(rows=[], sha256=sha256)
    if not raw_rows:
        raise ImportRefused("文件中没有工单数据行。")
    categories = {}
    for category in ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True):
        categories[_norm(category.label)] = category
        categories[_norm(category.code)] = category
    fallback = categories.get(FALLBACK_CATEGORY_CODE)
    estates = _estate_index(user)
    regions = {_norm(r.name): r for r in Region.objects.visible_to(user).filter(level__gte=4)}
    user_path = user.region.path if user.region_id else ""

    rows, references = [], []
    for line, values in raw_rows:
        row = Row(line=line, values={k: _text(v) for k, v in values.items()})
        row.values["_raw_received"] = values.get("received_at")
        row.values["_raw_deadline"] = values.get("deadline")
        rows.append(row)
        references.append(row.values.get("reference", ""))
    existing = set()
    refs = sorted({r for r in references if r})
    for start in range(0, len(refs), 900):
        existing.update(Complaint.objects.filter(
            channel=Channel.HOTLINE_12345, reference__in=refs[start:start + 900]).values_list("reference", flat=True))

    seen = {}
    earliest = latest = None
    for row in rows:
        v = row.values
        reference = v.get("reference", "")
        if not reference:
            row.reasons.append("工单编号为空")
        elif len(reference) > 64:
            row.reasons.append("工单编号过长")
        row.received_at = _parse_datetime(v["_raw_received"])
        if row.received_at is None:
            row.reasons.append(f"来电时间“{v.get('received_at', '')}”不是有效日期" if v.get("received_at") else "来电时间为空")
        elif row.received_at > timezone.now() + timedelta(minutes=5):
            row.reasons.append("来电时间晚于当前时间")
        if not v.get("description"):
            row.reasons.append("诉求内容为空")
        if not v.get("estate"):
            row.reasons.append("小区名称为空")
        if v.get("phone"):
            try:
                row.phone = privacy.normalise_phone(v["phone"], mobile_only=False)
            except privacy.InvalidPhone:
                row.reasons.append(f"联系电话“{v['phone']}”格式不正确")
        raw_deadline = v["_raw_deadline"]
        if raw_deadline not in (None, ""):
            if isinstance(raw_deadline, (int, float)) or re.fullmatch(r"\d{1,3}(个)?(工作日)?", v.get("deadline", "")):
                row.deadline_days = int(re.sub(r"\D", "", str(int(raw_deadline) if isinstance(raw_deadline, float) else raw_deadline)))
                if not 1 <= row.deadline_days <= 365:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
            else:
                parsed = _parse_datetime(raw_deadline)
                if parsed is None:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
                else:
                    row.deadline = timezone.localdate(parsed)
        row.category = categories.get(_norm(v.get("category", ""))) or fallback
        if row.reasons:
            row.status = "error"
            continue
        if reference in existing:
            row.status = "duplicate"
            row.reasons.append("该工单编号已导入")
            continue
        if reference in seen:
            row.status = "duplicate"
            row.reasons.append(f"与第 {seen[reference]} 行工单编号重复")
            continue
        seen[reference] = row.line
        row.estate, reason = _match_estate(v["estate"], v.get("region", ""), estates)
        if row.estate is None:
            row.reasons.append(reason)
            region = regions.get(_norm(v.get("region", "")))
            row.region_path = region.path if region else user_path
        else:
            row.region_path = row.estate.community.path
        day = timezone.localdate(row.received_at)
        earliest = min(earliest or day, day)
        latest = max(latest or day, day)
    if earliest is not None:
        calendar = WorkCalendar(earliest, latest + timedelta(days=120))
        default_days = deadline_workdays(Channel.HOTLINE_12345)
        for row in rows:
            if row.status == "new" and row.deadline is None:
                row.deadline = calendar.add(timezone.localdate(row.received_at), row.deadline_days or default_days)
    result.rows = rows
    return result


def import_12345(source, *, user: User) -> Preview:
    """Imports every new row of a 12345 file in one transaction, or nothing: a file with any error
    row is refused whole (the preview lists them). Duplicates (already imported, or repeated in
    the file) are skipped, so importing the same file again adds nothing. Matched rows become
    clues of cases (多人同诉, distinct phone numbers); unmatched ones wait as 待匹配小区."""
    if user.is_read_only or not (user.sees_everything or user.role in privacy.HANDLING_ROLES):
        from core.errors import PermissionDenied

        raise PermissionDenied("您的角色不能导入工单。")
    raw_rows, _sha256 = _raw_rows(source)
    with transaction.atomic():
        result = preview(raw_rows, user=user)
        if result.errors:
            lines = "、".join(str(r.line) for r in result.rows if r.status == "error")
            raise ImportRefused(f"有 {result.errors} 行存在错误（第 {lines[:200]} 行），请修正后重新导入；本次未导入任何数据。")
        new_rows = [r for r in result.rows if r.status == "new"]
        if not new_rows:
            return result
        estate_ids = sorted({r.estate.pk for r in new_rows if r.estate})
        list(Estate.objects.select_for_update().filter(pk__in=estate_ids).order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        complaints = [
            Complaint(
                tracking_code=new_tracking_code(), channel=Channel.HOTLINE_12345, reference=r.values["reference"],
                received_at=r.received_at, estate=r.estate, region_path=r.region_path, category=r.category,
                description=r.values["description"], complainant_name=r.values.get("name", "")[:50],
                phone_encrypted=privacy.phone_encrypt(r.phone), phone_hash=privacy.phone_hash(r.phone),
                is_anonymous=not r.phone, deadline=r.deadline,
                status=ComplaintStatus.RECEIVED if r.estate else ComplaintStatus.PENDING_ESTATE,
                raw_region=r.values.get("region", "")[:100], raw_estate=r.values.get("estate", "")[:100],
                raw_category=r.values.get("category", "")[:100], created_by=user, created_at=now,
            )
            for r in new_rows
        ]
        Complaint.objects.bulk_create(complaints, batch_size=500)
        ComplaintEvent.objects.bulk_create([
            ComplaintEvent(complaint=c, actor=user, kind=ComplaintEventKind.RECEIVED, at=now, is_public=True,
                           note=f"12345 工单 {c.reference} 已受理，办理时限 {c.deadline:%Y-%m-%d}。")
            for c in complaints
        ], batch_size=500)

        matched = [c for c in complaints if c.estate_id]
        # 多人同诉: one complainant per distinct phone number per case, counting those already on it.
        open_cases = {}
        for case in Case.objects.filter(estate_id__in=estate_ids, state__in=OPEN_STATES).order_by("-pk"):
            open_cases[(case.estate_id, case.category_id)] = case.pk
        seen_phones = {}
        for case_id, phone in Complaint.objects.filter(case_id__in=list(open_cases.values())).exclude(
                phone_hash="").values_list("case_id", "phone_hash"):
            seen_phones.setdefault(case_id, set()).add(phone)
        campaigns = {}
        items = []
        for c in matched:
            key = (c.estate_id, c.category_id)
            bucket = seen_phones.setdefault(open_cases.get(key, key), set())
            count = 1
            if c.phone_hash:
                count = 0 if c.phone_hash in bucket else 1
                bucket.add(c.phone_hash)
            if c.estate.community_id not in campaigns:
                campaign = campaign_for(c.estate)
                campaigns[c.estate.community_id] = campaign.pk if campaign else None
            items.append({
                "estate": c.estate, "category": c.category, "campaign_id": campaigns[c.estate.community_id],
                "source": ClueSource.COMPLAINT, "reference": f"12345热线 {c.reference}",
                "description": c.description[:2000], "received_at": c.received_at,
                "source_app_label": "complaints", "source_object_id": c.pk, "complainant_count": count,
            })
        clues_open_or_join_bulk(items=items, actor=user)
        clue = CaseClue.objects.filter(
            source_app_label="complaints", source_object_id=Cast(OuterRef("pk"), CharField())
        )
        ids = [c.pk for c in matched]
        for start in range(0, len(ids), 900):
            Complaint.objects.filter(pk__in=ids[start:start + 900]).update(
                clue_id=Subquery(clue.values("pk")[:1]), case_id=Subquery(clue.values("case_id")[:1]),
            )
    return result
