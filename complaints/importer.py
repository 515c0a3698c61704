"""12345 hotline work-order import (12345 工单导入).

Reads the platform's .xlsx export with calamine (Rust, quick-xml: no DTD, no entity expansion;
the sheet's extent is checked first, see _check_xlsx; openpyxl for what that check cannot vouch
for), finds the header row wherever it is (merged title rows, extra, reordered columns and blank
rows are tolerated), previews every row as new / duplicate / error with a Chinese reason, and imports
all importable rows in one transaction or none. Estates are matched by name within the row's
region; a row whose estate does not match is imported as 待匹配小区 for a person to resolve.
Every lookup is done in bulk: the number of queries does not grow with the rows. On PostgreSQL
the rows are written with COPY (core.bulk.copy_lines), elsewhere with bulk_create.

The staff page parses the file once: the preview's rows are kept beside the stored file
(dump_rows / load_rows) and the confirm step checks them all again, without re-reading the file."""

import hashlib
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.db import connection, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from accounts.models import User
from campaigns.models import ProblemCategory
from campaigns.selectors import campaign_for_path
from communities.models import Estate, Region
from core.bulk import Background, copy_available, copy_lines, copy_text, reserve_ids
from core.errors import DomainError
from core.models import CalendarDay
from rectification.clues import clues_open_or_join_bulk
from rectification.models import OPEN_STATES, Case, ClueSource

from . import privacy
from .models import Channel, Complaint, ComplaintEvent, ComplaintEventKind, ComplaintStatus
from .services import CODE_ALPHABET, deadline_workdays

MAX_ROWS = 50000
#: the first sheet may span at most this many cells (rows × columns, blank ones included):
#: calamine holds the sheet as one dense grid, so a file naming cell XFD1048576 is refused
#: before it is read instead of asking for hundreds of gigabytes.
MAX_SHEET_CELLS = 6_000_000
#: decompressed size of the workbook's parts together (a 50,000-row export is ~40 MB)
MAX_XML_BYTES = 200 * 1024 * 1024
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
    received_day: date | None = None

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
    #: the file's rows as parsed (rows_from_cells), for dump_rows: the confirm step reuses them
    raw_rows: list = field(default_factory=list, repr=False)

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


NOT_XLSX = "无法读取该文件，请上传 12345 平台导出的 .xlsx 文件（不支持 .xls 或 CSV）。"
TOO_BIG = "文件解压后过大，请拆分后再导入。"
_XML_ENCODING = re.compile(rb'<\?xml[^>]*?encoding=["\']([^"\']+)')
_FAR_ROW = re.compile(rb'r="[A-Za-z]{0,4}([0-9]{6,})')
_WIDE_COLUMN = re.compile(rb'r="([A-Za-z]{2,})[0-9]')
_NOT_CELL = re.compile(rb"<c[^\s>/]")
_CELL_ROW = re.compile(rb'<c r="[A-Za-z]+([0-9]+)')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _sheet_cells(xml: bytes) -> int | None:
    """How many cells calamine's dense grid for this sheet XML can hold at most (it spans A1 to the
    highest row and column any cell names), from byte counts and a few scans; None when the XML
    is not in the plain form those counts can vouch for (another encoding, CDATA, comments, a
    cell whose first attribute is not its reference…): the caller then reads it with openpyxl."""
    head = xml[:300].lstrip(b"\xef\xbb\xbf \t\r\n")
    start = min(len(xml), 300) - len(head)
    if not head.startswith(b"<"):
        return None
    declared = _XML_ENCODING.match(head)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    # no CDATA, comment, DOCTYPE or processing instruction (after the declaration) could hide tags
    if b"<!" in xml or xml.find(b"<?", start + 2) != -1 or b":sheetData" in xml:
        return None
    # every cell names its place (none is placed by counting); <cols>, <color>… are not cells
    tags, cells = xml.count(b"<c"), xml.count(b'<c r="')
    if tags != cells and tags - len(_NOT_CELL.findall(xml)) != cells:
        return None
    rows = xml.count(b"<row")
    width = max((_column_number(c) for c in set(_WIDE_COLUMN.findall(xml))), default=26)
    if width > 16384:
        return MAX_SHEET_CELLS + 1
    far = _FAR_ROW.findall(xml)
    if far:
        height = max(rows, max(int(n) for n in far))
    else:
        height = max(rows, 99_999)
        if height * width > MAX_SHEET_CELLS:  # a wide sheet: find its real last row
            height = max(rows, max((int(n) for n in _CELL_ROW.findall(xml)), default=0))
    return height * width


def _check_xlsx(data: bytes) -> str:
    """Refuses what is not an .xlsx workbook, a workbook too large once decompressed (a zip bomb)
    or a sheet spanning too many cells (a lone cell at XFD1048576 would make calamine allocate
    hundreds of gigabytes). Returns the reader to use: "calamine", or "openpyxl" (streaming,
    slower) for a sheet whose extent cannot be vouched for cheaply."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportRefused(NOT_XLSX) from exc
    if "xl/workbook.xml" not in names:
        raise ImportRefused(NOT_XLSX)
    left, reader = MAX_XML_BYTES, "calamine"
    with archive:
        for info in archive.infolist():  # any member may be named as a sheet by the workbook's rels
            if info.is_dir():
                continue
            if info.file_size > left:
                raise ImportRefused(TOO_BIG)
            try:
                with archive.open(info) as member:
                    xml = member.read(left + 1)
            except Exception as exc:  # a damaged member: zlib, CRC, encryption errors
                raise ImportRefused(NOT_XLSX) from exc
            left -= len(xml)
            if left < 0:
                raise ImportRefused(TOO_BIG)
            if xml[:4] in (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"<\x00?\x00", b"\x00<\x00?"):  # UTF-16
                reader = "openpyxl"
                continue
            if b"sheetData" not in xml:
                continue
            cells = _sheet_cells(xml)
            if cells is None:
                reader = "openpyxl"
            elif cells > MAX_SHEET_CELLS:
                raise ImportRefused(f"工作表的单元格范围过大，单个文件最多导入 {MAX_ROWS} 行，请删除多余的行列或拆分后再导入。")
    return reader


def _cells(rows):
    """Cells as openpyxl gave them: calamine gives an empty cell as "" (openpyxl: None) and a date
    cell as a date (openpyxl, and the rules below: a datetime at midnight)."""
    for cells in rows:
        if "" in cells or any(type(c) is date for c in cells):
            cells = [None if c == "" else datetime.combine(c, time()) if type(c) is date else c for c in cells]
        yield cells


def rows_from_xlsx(data: bytes) -> list[tuple[int, dict]]:
    if _check_xlsx(data) == "openpyxl":
        return _rows_with_openpyxl(data)
    try:
        sheet = CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False)  # from A1, so line numbers are Excel's
    except Exception as exc:  # calamine raises its own errors for a damaged workbook
        raise ImportRefused(NOT_XLSX) from exc
    return rows_from_cells(_cells(cells))


def _rows_with_openpyxl(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-xlsx file
        raise ImportRefused(NOT_XLSX) from exc
    try:
        return rows_from_cells(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


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


def load_rows(blob: bytes, *, sha256: str) -> list[tuple[int, dict]] | None:
    """Rows kept by dump_rows for the file of that sha256, or None (missing, damaged, another
    file, another row cap): the caller then parses the file again."""
    try:
        payload = json.loads(blob, object_hook=_revive)
        if payload.get("sha256") != sha256 or not sha256 or payload.get("max_rows") != MAX_ROWS:
            return None
        keys = [str(key) for key in payload["keys"]]
        width = len(keys) + 1
        stored = payload["rows"]
        if not all(type(row) is list and len(row) == width and type(row[0]) is int for row in stored):
            return None
        rows = [(row[0], dict(zip(keys, row[1:], strict=True))) for row in stored]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if len(rows) > MAX_ROWS:
        return None
    return rows


def _raw_rows(source) -> tuple[list[tuple[int, dict]], str]:
    """`source` is the file's bytes (or a file) or already parsed rows."""
    if isinstance(source, list):
        return source, ""
    data = source.read() if hasattr(source, "read") else source
    if not isinstance(data, bytes | bytearray):
        raise ImportRefused(NOT_XLSX)
    return rows_from_xlsx(bytes(data)), hashlib.sha256(data).hexdigest()


def _text(value, limit=2000) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:limit]


DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                    "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y.%m.%d")


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")


def _parse_datetime(value, tz=None) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(9, 0))
    else:
        text = _text(value)
        parsed = None
        if _ISO_DATETIME.fullmatch(text):  # the usual form: fromisoformat gives what strptime would
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                parsed = None
        if parsed is None:
            for fmt in DATETIME_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
                    break
                except ValueError:
                    continue
        if parsed is None:
            return None
    if parsed.tzinfo is None:  # timezone.make_aware, without its per-call lookups
        parsed = parsed.replace(tzinfo=tz or timezone.get_current_timezone())
    return parsed


def _localdate(value: datetime, tz) -> date:
    return value.date() if value.tzinfo is tz else value.astimezone(tz).date()


class WorkCalendar:
    """add_working_days over a range loaded in one query (the import may span months)."""

    def __init__(self, start: date, end: date):
        self.exceptions = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
        )
        self.end = end
        self._memo = {}

    def add(self, start: date, n: int) -> date:
        key = (start, n)
        if key in self._memo:
            return self._memo[key]
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.exceptions.get(day, day.weekday() < 5):
                left -= 1
        self._memo[key] = day
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


def preview(source, *, user: User) -> Preview:
    """Reads and checks a 12345 file (bytes, a file, or rows from rows_from_cells) without
    writing anything."""
    raw_rows, sha256 = _raw_rows(source)
    result = Preview(rows=[], sha256=sha256, raw_rows=raw_rows)
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
    tz = timezone.get_current_timezone()
    too_late = timezone.now() + timedelta(minutes=5)

    rows = []
    for line, values in raw_rows:
        texts = {k: v.strip()[:2000] if type(v) is str else "" if v is None else _text(v) for k, v in values.items()}
        texts["_raw_received"] = values.get("received_at")
        texts["_raw_deadline"] = values.get("deadline")
        rows.append(Row(line=line, values=texts))
    existing = _existing_references(row.values.get("reference", "") for row in rows)

    seen = {}
    by_category, by_estate = {}, {}  # the same few names recur on thousands of rows
    earliest = latest = None
    deadline_days_re = re.compile(r"\d{1,3}(个)?(工作日)?")
    for row in rows:
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
        if v.get("phone"):
            try:
                row.phone = privacy.normalise_phone(v["phone"], mobile_only=False)
            except privacy.InvalidPhone:
                row.reasons.append(f"联系电话“{v['phone']}”格式不正确")
        raw_deadline = v["_raw_deadline"]
        if raw_deadline is not None and raw_deadline != "":
            if isinstance(raw_deadline, (int, float)) or deadline_days_re.fullmatch(v.get("deadline", "")):
                row.deadline_days = int(re.sub(r"\D", "", str(int(raw_deadline) if isinstance(raw_deadline, float) else raw_deadline)))
                if not 1 <= row.deadline_days <= 365:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
            else:
                parsed = _parse_datetime(raw_deadline, tz)
                if parsed is None:
                    row.reasons.append(f"办理时限“{v.get('deadline')}”不是有效日期或工作日数")
                else:
                    row.deadline = _localdate(parsed, tz)
        category_name = v.get("category", "")
        if category_name not in by_category:
            by_category[category_name] = categories.get(_norm(category_name)) or fallback
        row.category = by_category[category_name]
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
            estate, reason = _match_estate(v["estate"], v.get("region", ""), estates)
            if estate is None:
                region = regions.get(_norm(v.get("region", "")))
                by_estate[key] = (None, reason, region.path if region else user_path)
            else:
                by_estate[key] = (estate, "", estate.community.path)
        row.estate, reason, row.region_path = by_estate[key]
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


def tracking_codes(n: int) -> list[str]:
    """n distinct 查询码 like services.new_tracking_code (10 characters of CODE_ALPHABET, from
    the secrets module), drawn in one call: 32 letters, so a random byte's low five bits pick one
    without bias."""
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


def _event_notes(ids, rows) -> list[tuple[int, str]]:
    return [(pk, f"12345 工单 {r.values['reference']} 已受理，办理时限 {r.deadline:%Y-%m-%d}。")
            for pk, r in zip(ids, rows, strict=True)]


def import_12345(source, *, user: User) -> Preview:
    """Imports every new row of a 12345 file in one transaction, or nothing: a file with any error
    row is refused whole (the preview lists them). Duplicates (already imported, or repeated in
    the file) are skipped, so importing the same file again adds nothing. Matched rows become
    clues of cases (多人同诉, distinct phone numbers); unmatched ones wait as 待匹配小区.

    `source` may be the rows the preview parsed (load_rows): every check runs again here, inside
    the transaction, only the file is not read again."""
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
        hashes = {}  # a caller often rings several times
        for r in new_rows:
            if r.phone not in hashes:
                hashes[r.phone] = privacy.phone_hash(r.phone)
        fast = copy_available()
        # Fernet, the costliest step per row, once per number; on PostgreSQL in a thread, which
        # runs while this one waits on the database
        encrypting = Background(lambda: {phone: privacy.phone_encrypt(phone) for phone in hashes}) if fast else None
        values = []  # COMPLAINT_COLUMNS, with the plain phone number for phone_encrypted
        received, pending = ComplaintStatus.RECEIVED.value, ComplaintStatus.PENDING_ESTATE.value
        for r, code in zip(new_rows, tracking_codes(len(new_rows)), strict=True):
            v = r.values
            values.append((
                code, v["reference"], r.received_at, r.estate.pk if r.estate else None, r.region_path,
                r.category.pk, v["description"], v.get("name", "")[:50], r.phone, hashes[r.phone], not r.phone,
                r.deadline,
                received if r.estate else pending, v.get("region", "")[:100], v.get("estate", "")[:100],
                v.get("category", "")[:100],
            ))
        constants = {"channel": Channel.HOTLINE_12345.value, "created_by_id": user.pk, "created_at": now}
        if fast:
            ids = reserve_ids(Complaint, len(new_rows))
            complaints = None
        else:
            tokens = {phone: privacy.phone_encrypt(phone) for phone in hashes}
            complaints = [
                Complaint(**dict(zip(COMPLAINT_COLUMNS, (*row[:8], tokens[row[8]], *row[9:]), strict=True)), **constants)
                for row in values
            ]
            Complaint.objects.bulk_create(complaints, batch_size=2000)
            ids = [c.pk for c in complaints]

        # 多人同诉: one complainant per distinct phone number per case, counting those already on it.
        open_cases = {}
        for pk, estate_id, category_id in (Case.objects.filter(estate_id__in=estate_ids, state__in=OPEN_STATES)
                                           .order_by("-pk").values_list("pk", "estate_id", "category_id")):
            open_cases[(estate_id, category_id)] = pk
        seen_phones = {}
        for case_id, phone in Complaint.objects.filter(case_id__in=list(open_cases.values())).exclude(
                phone_hash="").values_list("case_id", "phone_hash"):
            seen_phones.setdefault(case_id, set()).add(phone)
        campaigns: dict[str, int | None] = {}
        items, matched = [], []
        for index, r in enumerate(new_rows):
            if r.estate is None:
                continue
            matched.append(index)
            key = (r.estate.pk, r.category.pk)
            bucket = seen_phones.setdefault(open_cases.get(key, key), set())
            count = 1
            phone_hash = values[index][9]
            if phone_hash:
                count = 0 if phone_hash in bucket else 1
                bucket.add(phone_hash)
            items.append({
                "estate": r.estate, "category": r.category, "campaign_id": _campaign_id(campaigns, r.estate.community.path),
                "source": ClueSource.COMPLAINT, "reference": f"12345热线 {r.values['reference']}",
                "description": r.values["description"][:2000], "received_at": r.received_at,
                "source_app_label": "complaints", "source_object_id": ids[index], "complainant_count": count,
            })
        event_constants = {"actor_id": user.pk, "kind": ComplaintEventKind.RECEIVED.value, "at": now, "is_public": True}
        if fast:
            written = []

            def write_complaints(pairs):
                # called by clues_open_or_join_bulk once the case and clue ids are known, before it
                # writes them (the foreign keys are checked at commit)
                links = ["\\N\t\\N"] * len(new_rows)
                for index, (case_id, clue_id) in zip(matched, pairs, strict=True):
                    links[index] = f"{case_id}\t{clue_id}"
                tokens = encrypting.result()
                text = copy_text
                # formatted as psycopg2 sends them: while PostgreSQL takes in the previous chunk
                lines = ("\t".join([text(v) for v in (pk, *row[:8], tokens[row[8]], *row[9:])]) + "\t" + link
                         for pk, row, link in zip(ids, values, links, strict=True))
                copy_lines(Complaint, ["id", *COMPLAINT_COLUMNS, "case_id", "clue_id"], lines,
                           constants=constants, now=now)
                copy_lines(ComplaintEvent, ["complaint_id", "note"],
                           (f"{pk}\t{text(note)}" for pk, note in _event_notes(ids, new_rows)),
                           constants=event_constants, now=now)
                written.append(True)

            clues_open_or_join_bulk(items=items, actor=user, ids_known=write_complaints)
            if not written:  # no row matched an estate: no clue
                write_complaints([])
        else:
            pairs = clues_open_or_join_bulk(items=items, actor=user)
            events = _event_notes(ids, new_rows)
            linked = []
            for index, (case_id, clue_id) in zip(matched, pairs, strict=True):
                complaint = complaints[index]
                complaint.case_id, complaint.clue_id = case_id, clue_id
                linked.append(complaint)
            Complaint.objects.bulk_update(linked, ["case", "clue"], batch_size=2000)
            ComplaintEvent.objects.bulk_create(
                [ComplaintEvent(complaint_id=pk, note=note, **event_constants) for pk, note in events], batch_size=2000)
    return result
