"""12345 hotline work-order import (12345 工单导入), on the files the platforms really export.

Reads .xlsx, .xls and .csv (GBK / GB18030 or UTF-8) through the one safe reader
(core.spreadsheets), finds the header row wherever it is by the column names the platforms use
(complaints.vocabulary: synonyms a county can extend), skips title, notes, subtotal and 合计 /
共 N 件 rows (counted, not errors), and previews every row as new / duplicate / error / 类别待对应 /
不在本辖区 with a Chinese reason. Dates are read in every form the platforms write (Excel dates
and serial numbers, 2025/6/3 9:15, 2025年6月3日 9时15分 …). The platform's category is mapped to
the taxonomy (mapping, then keywords); estates are matched like a person would (communities.names).

Rows in error no longer block the rest: `import_12345(..., valid_only=True)` imports the valid
rows in one transaction and `error_rows_xlsx` gives the others back with a reason column, to be
fixed and imported later (re-import adds nothing already imported). Every lookup is done in
bulk: the number of queries does not grow with the rows. The rows are written through
core.bulk.bulk_insert (COPY on PostgreSQL, bulk_create elsewhere) and become clues through the one
intake, rectification.services.clues_intake.

The staff page parses the file once: the preview's rows are kept beside the stored file
(dump_rows / load_rows) and the confirm step checks them all again, without re-reading the file."""

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.capabilities import require
from accounts.models import User
from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for_path
from communities import regions
from communities.models import Estate, Region
from communities.names import estate_key
from communities.selectors import estate_index_for
from core.bulk import bulk_insert, copy_available, gc_paused, reserve_ids
from core.errors import ImportRefused
from core.spreadsheets import SpreadsheetRefused, read_rows
from core.workdays import WorkCalendar
from core.xlsx import workbook_bytes
from rectification.models import ClueSource
from rectification.services import ClueInput, clues_intake

from . import notify, privacy
from .models import Channel, Complaint, ComplaintEvent, ComplaintEventKind, ComplaintStatus
from .services import deadline_workdays, phones_on_cases, tracking_codes
from .vocabulary import FIELD_LABELS, Vocabulary, category_remember

MAX_ROWS = 50000
HEADER_SCAN_ROWS = 30
REQUIRED = ("reference", "received_at", "description", "estate")
LABELS = FIELD_LABELS
#: what a caller writes when they would not give their name
ANONYMOUS_NAMES = frozenset({"匿名", "无", "不详", "未知", "未留名", "未提供", "匿名来电", "匿名用户", "-", "—", "/", "／", "无名"})
#: rows below the header that are not work orders: totals, counts, notes, signatures
_FOOTER = re.compile(
    r"^(合计|总计|小计|共计|汇总|总数)"
    r"|^共\s*[0-9]+\s*(件|条|单|个|行|笔)"
    r"|^(制表|填报|审核|导出|打印|统计)(人|时间|日期|单位|部门)"
    r"|^(注|备注|说明|数据来源|统计口径)\s*[:：]"
)


STATUS_LABELS = {
    "new": "新增", "duplicate": "重复", "error": "错误", "unmapped": "类别待对应", "out_of_scope": "不在本辖区",
    "skipped": "已跳过（合计/说明行）",
}


@dataclass(slots=True)
class Row:
    line: int
    values: dict
    status: str = "new"  # new | duplicate | error | unmapped | out_of_scope | skipped
    reasons: list[str] = field(default_factory=list)
    estate: Estate | None = None
    category: ProblemCategory | None = None
    region_path: str = ""
    received_at: datetime | None = None
    deadline: date | None = None
    deadline_days: int | None = None
    phone: str = ""
    name: str = ""
    is_anonymous: bool = False
    received_day: date | None = None

    @property
    def unmatched(self) -> bool:
        return self.status == "new" and self.estate is None

    @property
    def needs_person(self) -> bool:
        return self.status in ("error", "unmapped", "out_of_scope") or self.unmatched

    @property
    def status_label(self) -> str:
        if self.unmatched:
            return "新增（待匹配小区）"
        return STATUS_LABELS[self.status]


@dataclass
class Preview:
    rows: list[Row]
    sha256: str = ""
    #: the file's rows as parsed (rows_from_cells), for dump_rows: the confirm step reuses them
    raw_rows: list = field(default_factory=list, repr=False)
    #: rows imported by import_12345 (0 for a preview)
    imported: int = 0

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
    def skipped(self):
        return self.count("skipped")

    @property
    def out_of_scope(self):
        return self.count("out_of_scope")

    @property
    def category_unmapped(self):
        return self.count("unmapped")

    @property
    def unmatched(self):
        return [r for r in self.rows if r.unmatched]

    @property
    def data_rows(self):
        return len(self.rows) - self.skipped

    @property
    def rejected(self) -> list[Row]:
        """Rows a person must fix and import again: errors and unmapped categories."""
        return [r for r in self.rows if r.status in ("error", "unmapped")]

    def unmapped_categories(self) -> list[dict]:
        """Each platform category no rule maps, with its row count and a sample text, for the
        preview's chooser; `key` names the chooser's field."""
        found: dict[str, dict] = {}
        for row in self.rows:
            if row.status == "unmapped":
                raw = row.values.get("category", "")
                entry = found.setdefault(raw, {"raw": raw, "key": category_field(raw), "rows": 0,
                                               "sample": row.values.get("description", "")[:60]})
                entry["rows"] += 1
        return sorted(found.values(), key=lambda e: (-e["rows"], e["raw"]))

    def counts(self) -> dict:
        return {
            "rows": self.data_rows, "new": self.new, "duplicate": self.duplicates, "unmatched": len(self.unmatched),
            "error": self.errors, "skipped_footer": self.skipped, "out_of_scope": self.out_of_scope,
            "category_unmapped": self.category_unmapped, "imported": self.imported,
        }

    def rows_for_display(self, limit: int = 500) -> list[Row]:
        """Rows a person must look at first (errors, unmapped categories, other towns', unmatched
        estates), then the rest, up to `limit`."""
        first = [r for r in self.rows if r.needs_person]
        rest = [r for r in self.rows if not r.needs_person]
        return (first + rest)[:limit]


def category_field(raw: str) -> str:
    """The chooser's form field for a platform category (its text may hold any character)."""
    return "map_" + hashlib.sha256(raw.encode()).hexdigest()[:12]


def _header_map(cells, vocabulary: Vocabulary) -> dict[int, str]:
    mapping = {}
    for index, cell in enumerate(cells):
        key = vocabulary.field_of(cell)
        if key and key not in mapping.values():
            mapping[index] = key
    return mapping


def _footer_reason(cells, reference) -> str:
    """Why a row below the header is not a work order ("" when it is one): a total, a count, a
    note or a signature line; or a lone note in one cell."""
    if reference and not _FOOTER.match(reference):  # a work order: the usual case, decided first
        return ""
    texts = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not texts:
        return ""
    for text in texts:
        if _FOOTER.match(text):
            return f"合计/说明行（“{text[:20]}”），已跳过"
    if not reference and len(texts) == 1:
        return f"说明行（“{texts[0][:20]}”），已跳过"
    return ""


def rows_from_cells(cells_iter, vocabulary: Vocabulary | None = None) -> list[tuple[int, dict]]:
    """(line number, {field: raw value, "_skipped": reason}) for every non-blank row below the
    header row, which is the first of the first HEADER_SCAN_ROWS rows naming enough known
    columns. Total and note rows carry the reason they are skipped."""
    vocabulary = vocabulary or Vocabulary.for_county(None)
    mapping, rows = None, []
    for line, cells in enumerate(cells_iter, start=1):
        cells = tuple(cells or ())
        if mapping is None:
            candidate = _header_map(cells, vocabulary)
            if len(candidate) >= 4 and all(k in candidate.values() for k in ("reference", "description")):
                mapping = candidate
                missing = [LABELS[k] for k in REQUIRED if k not in mapping.values()]
                if missing:
                    raise ImportRefused(f"表头缺少必需的列：{'、'.join(missing)}。")
            elif line >= HEADER_SCAN_ROWS:
                break
            continue
        width = len(cells)
        values = {key: cells[index] if index < width else None for index, key in mapping.items()}
        reference = values.get("reference")
        # a row with a work-order number is not blank: the usual case, decided without the cells
        if (type(reference) is not str or not reference.strip()) and all(
                c is None or str(c).strip() == "" for c in cells):
            continue
        values["_skipped"] = _footer_reason(cells, str(reference).strip() if reference is not None else "")
        rows.append((line, values))
        if len(rows) > MAX_ROWS + 100:
            raise ImportRefused(f"单个文件最多导入 {MAX_ROWS} 行，请拆分后再导入。")
    if mapping is None:
        raise ImportRefused(
            f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头。表头应包含：{'、'.join(LABELS.values())}"
            "（也可用平台的其他列名，如“工单号”“受理时间”“问题描述”）。"
        )
    if sum(1 for _line, values in rows if not values["_skipped"]) > MAX_ROWS:
        raise ImportRefused(f"单个文件最多导入 {MAX_ROWS} 行，请拆分后再导入。")
    return rows


def rows_from_file(data: bytes, *, filename: str = "", vocabulary: Vocabulary | None = None) -> list[tuple[int, dict]]:
    return rows_from_cells(read_rows(data, filename=filename, max_rows=MAX_ROWS), vocabulary)


def rows_from_xlsx(data: bytes) -> list[tuple[int, dict]]:
    return rows_from_file(data)


@gc_paused()
def dump_rows(result: "Preview") -> bytes:
    """The preview's parsed rows as JSON, to keep beside the stored file (load_rows)."""
    def default(value):
        if isinstance(value, datetime):
            return {"$dt": value.isoformat()}
        if isinstance(value, date):
            return {"$d": value.isoformat()}
        if isinstance(value, time):
            return {"$t": value.isoformat()}
        if isinstance(value, timedelta):
            return {"$td": value.total_seconds()}
        return str(value)

    keys = list(result.raw_rows[0][1]) if result.raw_rows else []  # every row has the header's keys
    rows = [[line, *values.values()] for line, values in result.raw_rows]
    payload = {"sha256": result.sha256, "max_rows": MAX_ROWS, "keys": keys, "rows": rows}
    return json.dumps(payload, default=default, ensure_ascii=False, separators=(",", ":")).encode()


def _revive(obj):
    if len(obj) == 1:
        key, value = next(iter(obj.items()))
        if key == "$dt":
            return datetime.fromisoformat(value)
        if key == "$d":
            return date.fromisoformat(value)
        if key == "$t":
            return time.fromisoformat(value)
        if key == "$td":
            return timedelta(seconds=value)
    return obj


@gc_paused()
def load_rows(blob: bytes, *, sha256: str) -> list[tuple[int, dict]] | None:
    """Rows kept by dump_rows for the file of that sha256, or None (missing, damaged, another
    file, another row cap): the caller then parses the file again."""
    try:
        payload = json.loads(blob, object_hook=_revive)
        if payload.get("sha256") != sha256 or not sha256 or payload.get("max_rows") != MAX_ROWS:
            return None
        keys = [str(key) for key in payload["keys"]]
        width = len(keys) + 1
        rows = []
        for row in payload["rows"]:
            if type(row) is not list or len(row) != width or type(row[0]) is not int:
                return None
            rows.append((row[0], dict(zip(keys, row[1:], strict=True))))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if len(rows) > MAX_ROWS + 100 or (rows and "_skipped" not in keys):  # every row has the header's keys
        return None
    return rows


def _raw_rows(source, *, filename: str = "", vocabulary: Vocabulary | None = None) -> tuple[list[tuple[int, dict]], str]:
    """`source` is the file's bytes (or a file) or already parsed rows."""
    if isinstance(source, list):
        return source, ""
    data = source.read() if hasattr(source, "read") else source
    if not isinstance(data, bytes | bytearray):
        raise ImportRefused("无法读取该文件，请上传 Excel（.xlsx、.xls）或 CSV 文件。")
    try:
        rows = rows_from_file(bytes(data), filename=filename, vocabulary=vocabulary)
    except SpreadsheetRefused as exc:
        raise ImportRefused(exc.message) from exc
    return rows, hashlib.sha256(data).hexdigest()


def _text(value, limit=2000) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:limit]


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")
#: 2025/6/3 9:15 · 2025-06-03 09:15:00 · 2025年6月3日 9时15分 · 2025年06月03日09:15 · 2025.6.3 …
_ANY_DATETIME = re.compile(
    r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[时:：点]\s*(\d{1,2})\s*(?:[分:：]\s*(?:(\d{1,2})\s*秒?)?)?)?"
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_NOT_DIGIT = re.compile(r"\D")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - made aware by the caller


def _from_serial(number: float) -> datetime | None:
    """An Excel serial date (days since 1899-12-30, the fraction is the time of day), as a file
    shows it when the date column lost its format."""
    if not 20000 <= number <= 80000:  # 1954 … 2119: anything else is not a date
        return None
    return _EXCEL_EPOCH + timedelta(seconds=round(number * 86400))  # to the second, as Excel shows it


def _datetime_from_text(text: str) -> datetime | None:
    parsed = None
    if _ISO_DATETIME.fullmatch(text):  # the usual form: fromisoformat gives what strptime would
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None and (match := _ANY_DATETIME.fullmatch(text)):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            parsed = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware by the caller
        except ValueError:
            parsed = None
    if parsed is None and _SERIAL.fullmatch(text):
        parsed = _from_serial(float(text))
    return parsed


def _parse_datetime(value, tz=None) -> datetime | None:
    if type(value) is str:  # the usual cell, tried first
        parsed = _datetime_from_text(value.strip()[:2000])
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(9, 0))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = _from_serial(float(value))
    else:
        parsed = _datetime_from_text(_text(value))
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # timezone.make_aware, without its per-call lookups
        parsed = parsed.replace(tzinfo=tz or timezone.get_current_timezone())
    return parsed


def _localdate(value: datetime, tz) -> date:
    return value.date() if value.tzinfo is tz else value.astimezone(tz).date()


def _county_id(user: User) -> int | None:
    if not user.region_id:
        return None
    county = regions.county_of(user.region)
    return county.pk if county else None


class _EstateMatcher:
    """Estates of the uploader's scope, then (only for names not found there) every estate, so a
    row of another town says 不在本辖区 instead of "not found"."""

    def __init__(self, user: User):
        self.user = user
        self.inside = estate_index_for(Estate.objects.visible_to(user))
        self._outside = None
        self._regions_outside = None

    def outside(self):
        if self._outside is None:
            self._outside = estate_index_for(Estate.objects.exclude(pk__in=Estate.objects.visible_to(self.user).values("pk")))
            visible = Region.objects.visible_to(self.user).values("pk")
            self._regions_outside = {estate_key(name): name for name in Region.objects.filter(level__gte=4)
                                     .exclude(pk__in=visible).values_list("name", flat=True)}
        return self._outside

    def match(self, name: str, region: str) -> tuple[Estate | None, str, bool]:
        """(estate, reason, out_of_scope)."""
        candidates = self.inside.candidates(name, region)
        if len(candidates) == 1:
            return candidates[0], "", False
        if len(candidates) > 1:
            return None, f"小区“{name}”有 {len(candidates)} 个同名小区，请补充所属区域或导入后人工匹配", False
        elsewhere = self.outside().candidates(name, region)
        region_n = estate_key(region)
        if elsewhere and (not region_n or any(estate_key(e.community.parent.name) in region_n
                                              or estate_key(e.community.name) in region_n for e in elsewhere)):
            town = elsewhere[0].community.parent.name
            return None, f"小区“{name}”属于{town}，不在本辖区", True
        if region_n and region_n in self._regions_outside:
            return None, f"所属区域“{region}”不在本辖区", True
        return None, f"小区“{name}”在{region or '您的管辖范围'}内未找到，导入后待人工匹配", False


def _existing_references(references) -> set[str]:
    """The 12345 work-order numbers among `references` already imported, in one query."""
    refs = sorted({r for r in references if r and len(r) <= 64})
    if not refs:
        return set()
    table = connection.ops.quote_name(Complaint._meta.db_table)
    channel = Channel.HOTLINE_12345.value
    if connection.vendor == "postgresql":
        # reference <> '' lets the partial unique index (channel, reference) answer
        sql = f"SELECT reference FROM {table} WHERE channel = %s AND reference <> '' AND reference = ANY(%s)"  # noqa: S608
        params = [channel, refs]
    elif connection.vendor == "sqlite":
        sql = f"SELECT reference FROM {table} WHERE channel = %s AND reference IN (SELECT value FROM json_each(%s))"  # noqa: S608
        params = [channel, json.dumps(refs)]
    else:
        found = set()
        for start in range(0, len(refs), 900):
            found.update(Complaint.objects.filter(channel=channel, reference__in=refs[start:start + 900])
                         .values_list("reference", flat=True))
        return found
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


@gc_paused()
def preview(source, *, user: User, filename: str = "", progress=None) -> Preview:
    """Reads and checks a 12345 file (bytes, a file, or rows from rows_from_cells) without
    writing anything. `progress(done, total)` (an import job's) is called as rows are checked."""
    vocabulary = Vocabulary.for_county(_county_id(user))
    raw_rows, sha256 = _raw_rows(source, filename=filename, vocabulary=vocabulary)
    result = Preview(rows=[], sha256=sha256, raw_rows=raw_rows)
    if not any(not values.get("_skipped") for _line, values in raw_rows):
        raise ImportRefused("文件中没有工单数据行。")
    estates = _EstateMatcher(user)
    user_path = user.region.path if user.region_id else ""
    regions = {estate_key(r.name): r for r in Region.objects.visible_to(user).filter(level__gte=4)}
    tz = timezone.get_current_timezone()
    too_late = timezone.now() + timedelta(minutes=5)

    rows = []
    for line, values in raw_rows:
        texts = {k: v.strip()[:2000] if (kind := type(v)) is str else "" if v is None else str(v) if kind is int
                 else _text(v) for k, v in values.items()}
        texts["_raw_received"] = values.get("received_at")
        texts["_raw_deadline"] = values.get("deadline")
        row = Row(line=line, values=texts)
        if texts.get("_skipped"):
            row.status = "skipped"
            row.reasons.append(texts["_skipped"])
        rows.append(row)
    existing = _existing_references(row.values.get("reference", "") for row in rows if row.status != "skipped")

    seen = {}
    by_category, by_estate = {}, {}  # the same few names recur on thousands of rows
    earliest = latest = None
    deadline_days_re = re.compile(r"\d{1,3}(个)?(工作日)?")
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress(done, len(rows))
        if row.status == "skipped":
            continue
        v = row.values
        reference = v.get("reference", "")
        if not reference:
            row.reasons.append("工单编号为空")
        elif len(reference) > 64:
            row.reasons.append("工单编号过长")
        row.received_at = _parse_datetime(v["_raw_received"], tz)
        if row.received_at is None:
            row.reasons.append(f"来电时间“{v.get('received_at', '')}”不是有效日期" if v.get("received_at") else "来电时间为空")
        elif row.received_at > too_late:
            row.reasons.append("来电时间晚于当前时间")
        if not v.get("description"):
            row.reasons.append("诉求内容为空")
        if not v.get("estate"):
            row.reasons.append("小区名称为空")
        name = v.get("name", "")
        row.is_anonymous = not name or name in ANONYMOUS_NAMES or not v.get("phone") or v.get("phone") in ANONYMOUS_NAMES
        row.name = "" if name in ANONYMOUS_NAMES else name[:50]
        if v.get("phone") and v["phone"] not in ANONYMOUS_NAMES:
            try:
                row.phone = privacy.normalise_phone(v["phone"], mobile_only=False)
            except privacy.InvalidPhone:
                row.reasons.append(f"联系电话“{v['phone']}”格式不正确")
        raw_deadline = v["_raw_deadline"]
        if raw_deadline is not None and raw_deadline != "":
            if isinstance(raw_deadline, (int, float)) and raw_deadline < 1000 or deadline_days_re.fullmatch(v.get("deadline", "")):
                row.deadline_days = int(_NOT_DIGIT.sub("", str(int(raw_deadline) if isinstance(raw_deadline, float) else raw_deadline)))
                if not 1 <= row.deadline_days <= 365:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
            else:
                parsed = _parse_datetime(raw_deadline, tz)
                if parsed is None:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
                else:
                    row.deadline = _localdate(parsed, tz)
        raw_category = v.get("category", "")
        if raw_category not in by_category:
            by_category[raw_category], _how = vocabulary.category_for(raw_category)
        row.category = by_category[raw_category]
        if row.category is None:  # a vague or unknown category: the text may say which problem it is
            row.category, _how = vocabulary.category_for("", v.get("description", ""))
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
        key = (v["estate"], v.get("region", ""))
        if key not in by_estate:
            estate, reason, outside = estates.match(v["estate"], v.get("region", ""))
            if estate is not None:
                by_estate[key] = (estate, "", estate.community.path, False)
            else:
                region = regions.get(estate_key(v.get("region", "")))
                by_estate[key] = (None, reason, region.path if region else user_path, outside)
        row.estate, reason, row.region_path, outside = by_estate[key]
        if outside:
            row.status = "out_of_scope"
            row.reasons.append(reason)
            continue
        if row.category is None:
            row.status = "unmapped"
            row.reasons.append(f"诉求类别“{raw_category or '（空）'}”尚未对应整治内容，请在预览中选择")
            continue
        if row.estate is None:
            row.reasons.append(reason)
        row.received_day = day = _localdate(row.received_at, tz)
        if earliest is None or day < earliest:
            earliest = day
        if latest is None or day > latest:
            latest = day
    if earliest is not None:
        calendar = WorkCalendar(earliest, latest + timedelta(days=120))
        default_days = deadline_workdays(Channel.HOTLINE_12345)
        for row in rows:
            if row.status == "new" and row.deadline is None:
                row.deadline = calendar.add(row.received_day, row.deadline_days or default_days)
    result.rows = rows
    return result


def error_rows_xlsx(result: Preview) -> bytes:
    """The rows a person must fix (errors and unmapped categories) as an .xlsx with the platform's
    columns, as written in the file, and a 错误原因 column; once fixed it imports as it is."""
    fields = [key for key in LABELS if any(key in row.values for row in result.rows)]
    headers = ["原行号", *(LABELS[key] for key in fields), "错误原因"]

    def cells(row):
        for key in fields:
            raw = row.values.get(f"_raw_{key}") if key in ("received_at", "deadline") else None
            if isinstance(raw, datetime):
                yield timezone.localtime(raw) if timezone.is_aware(raw) else raw
            else:
                yield row.values.get(key, "")

    rows = ([row.line, *cells(row), "；".join(row.reasons)] for row in result.rejected)
    return workbook_bytes([("待修正工单", headers, rows)])


def _campaign_id(memo: dict, path: str) -> int | None:
    if path not in memo:
        campaign = campaign_for_path(path)
        memo[path] = campaign.pk if campaign else None
    return memo[path]


COMPLAINT_COLUMNS = [
    "tracking_code", "reference", "received_at", "estate_id", "region_path", "category_id", "description",
    "complainant_name", "phone_encrypted", "phone_hash", "is_anonymous", "deadline", "status", "raw_region",
    "raw_estate", "raw_category",
]


def _event_notes(ids, rows) -> Iterator[tuple[int, str]]:
    return ((pk, f"12345 工单 {r.values['reference']} 已受理，办理时限 {r.deadline:%Y-%m-%d}。")
            for pk, r in zip(ids, rows, strict=True))


@gc_paused()
def import_12345(source, *, user: User, valid_only: bool = False, category_choices: dict | None = None,
                 filename: str = "", progress=None) -> Preview:
    """Imports the new rows of a 12345 file in one transaction. A file with error rows (or rows
    whose platform category maps to nothing) is refused whole unless `valid_only`: then the valid
    rows go in and the others are left for error_rows_xlsx. `category_choices` ({platform
    category: ProblemCategory}) is the preview's chooser: each choice is kept for the user's county
    before the rows are checked, so this file and the next are mapped by it. Duplicates (already
    imported, or repeated in the file), total / note rows and rows of other towns are skipped, so
    importing the same file again adds nothing. Matched rows become clues of cases (多人同诉,
    distinct phone numbers); unmatched estates wait as 待匹配小区.

    `source` may be the rows the preview parsed (load_rows): every check runs again here, inside
    the transaction, only the file is not read again."""
    require(user, "import.12345")
    county_id = _county_id(user)
    raw_rows, _sha256 = _raw_rows(source, filename=filename, vocabulary=Vocabulary.for_county(county_id))
    with transaction.atomic():
        for raw_category, category in (category_choices or {}).items():
            category_remember(county_id=county_id, raw_category=raw_category, category=category, user=user)
        result = preview(raw_rows, user=user, progress=progress)
        rejected = result.rejected
        if rejected and not valid_only:
            lines = "、".join(str(r.line) for r in rejected)
            unmapped = f"（其中 {result.category_unmapped} 行诉求类别尚未对应整治内容）" if result.category_unmapped else ""
            raise ImportRefused(
                f"有 {len(rejected)} 行需要修正{unmapped}（第 {lines[:200]} 行）。可选择“仅导入有效行”，"
                "或修正文件后重新导入；本次未导入任何数据。"
            )
        new_rows = [r for r in result.rows if r.status == "new"]
        result.imported = len(new_rows)
        if not new_rows:
            return result
        now = timezone.now()
        hashes = {}  # a caller often rings several times
        for r in new_rows:
            if r.phone not in hashes:
                hashes[r.phone] = privacy.phone_hash(r.phone)
        fast = copy_available()
        tokens: dict[str, str] = {}

        def token(phone: str) -> str:
            # Fernet, the costliest step per row: once per number, when the row is written (with
            # COPY, while PostgreSQL takes in the rows before it)
            found = tokens.get(phone)
            if found is None:
                found = tokens[phone] = privacy.phone_encrypt(phone)
            return found

        received, pending = ComplaintStatus.RECEIVED.value, ComplaintStatus.PENDING_ESTATE.value
        codes = tracking_codes(len(new_rows))

        def complaint_values(r: Row, code: str) -> tuple:
            """COMPLAINT_COLUMNS of a new row."""
            v = r.values
            return (code, v["reference"], r.received_at, r.estate.pk if r.estate else None, r.region_path,
                    r.category.pk, v["description"], r.name, token(r.phone), hashes[r.phone], r.is_anonymous,
                    r.deadline, received if r.estate else pending, v.get("region", "")[:100],
                    v.get("estate", "")[:100], v.get("category", "")[:100])

        constants = {"channel": Channel.HOTLINE_12345.value, "created_by_id": user.pk, "created_at": now}
        if fast:
            ids = reserve_ids(Complaint, len(new_rows))
        else:
            ids = bulk_insert(Complaint, COMPLAINT_COLUMNS, [complaint_values(r, code) for r, code in
                                                             zip(new_rows, codes, strict=True)],
                              constants=constants, copy=False)

        # matched rows become clues; 多人同诉 by phone digest, counting the numbers already on a case
        campaigns: dict[str, int | None] = {}
        clues, matched = [], []
        for index, r in enumerate(new_rows):
            if r.estate is None:
                continue
            matched.append(index)
            clues.append(ClueInput(
                # a matched row's region_path is its estate's community path
                estate=r.estate, category=r.category, campaign_id=_campaign_id(campaigns, r.region_path),
                source=ClueSource.COMPLAINT, reference=f"12345热线 {r.values['reference']}",
                description=r.values["description"][:2000], received_at=r.received_at,
                source_app_label="complaints", source_object_id=ids[index], complainant_key=hashes[r.phone],
            ))
        event_constants = {"actor_id": user.pk, "kind": ComplaintEventKind.RECEIVED.value, "at": now, "is_public": True}
        if fast:
            written = []

            def write_complaints(pairs):
                # called by clues_intake once it has written the cases and clues these rows refer to
                links = [(None, None)] * len(new_rows)
                for index, (case_id, clue_id) in zip(matched, pairs, strict=True):
                    links[index] = (case_id, clue_id)
                # built and formatted as psycopg2 sends them: while PostgreSQL takes in the previous chunk
                rows = ((pk, *complaint_values(r, code), *link)
                        for pk, r, code, link in zip(ids, new_rows, codes, links, strict=True))
                bulk_insert(Complaint, ["id", *COMPLAINT_COLUMNS, "case_id", "clue_id"], rows, constants=constants,
                            now=now, copy=True)
                bulk_insert(ComplaintEvent, ["complaint_id", "note"], _event_notes(ids, new_rows),
                            constants=event_constants, now=now, copy=True)
                written.append(True)

            clues_intake(clues=clues, actor=user, known_keys=phones_on_cases, ids_known=write_complaints)
            if not written:  # no row matched an estate: no clue
                write_complaints([])
        else:
            results = clues_intake(clues=clues, actor=user, known_keys=phones_on_cases)
            linked = [Complaint(pk=ids[index], case_id=result.case_id, clue_id=result.clue_id)
                      for index, result in zip(matched, results, strict=True)]
            Complaint.objects.bulk_update(linked, ["case", "clue"], batch_size=2000)
            bulk_insert(ComplaintEvent, ["complaint_id", "note"], _event_notes(ids, new_rows),
                        constants=event_constants, copy=False)
        # 短信告知: each caller with a mobile number gets their tracking code, after commit
        notify.complaint_sms_after_commit(list(ids), notify.RECEIVED)
    return result
