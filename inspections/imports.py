"""Importing a community's Excel inspection ledger (排查台账) into a round.

Two steps, like every import of the product: `ledger_preview` reads the sheet (through the
one safe reader, core.spreadsheets, which checks the bomb limits before parsing) and says, row by row, what it would do and what is wrong, in
Chinese; `ledger_import` writes everything in one transaction or nothing at all. Rows become
submitted visits marked as imported, and their failures become cases through the same path as
a visit entered on the page. Each row leaves a fingerprint, so importing the same sheet again
adds nothing."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.capabilities import require
from accounts.models import User
from core import spreadsheets
from core.errors import ImportRefused, NotFound
from core.spreadsheets import NOT_READABLE, SpreadsheetRefused, read_rows

from . import selectors
from .models import InspectionRound, LineResult, Visit, VisitKind, VisitLine, VisitStatus
from .services import open_cases_for_failures

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

#: field → the header texts a county or community sheet uses for it
COLUMNS = {
    "estate": ("小区名称", "小区", "住宅小区"),
    "community": ("社区", "所属社区", "社区（村）"),
    "visited_on": ("排查日期", "检查日期", "日期"),
    "inspectors": ("排查人", "排查人员", "检查人"),
    "category": ("问题类别", "问题分类", "整治内容"),
    "description": ("问题描述", "存在问题", "问题"),
    "measures": ("整改措施",),
    "responsible_person": ("责任人",),
    "deadline": ("完成时限", "整改时限", "整改期限"),
}
REQUIRED = {"estate": "小区名称", "visited_on": "排查日期", "category": "问题类别", "description": "问题描述"}
LIMITS = [("description", "问题描述", 2000), ("measures", "整改措施", 2000), ("inspectors", "排查人", 200),
          ("responsible_person", "责任人", 50)]
TEMPLATE_HEADERS = ["小区名称", "社区", "排查日期", "排查人", "问题类别", "问题描述", "整改措施", "责任人", "完成时限"]


@dataclass
class LedgerRow:
    number: int
    values: dict
    estate: object = None
    category: object = None
    visited_on: date | None = None
    deadline: date | None = None
    key: str = ""
    errors: list[str] = field(default_factory=list)
    skip_reason: str = ""

    @property
    def is_new(self) -> bool:
        return not self.errors and not self.skip_reason


@dataclass
class LedgerPreview:
    rows: list[LedgerRow]
    file_errors: list[str]

    @property
    def errors(self) -> list[str]:
        return self.file_errors + [f"第 {r.number} 行：{e}" for r in self.rows for e in r.errors]

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.is_new)

    @property
    def skipped_count(self) -> int:
        return sum(1 for r in self.rows if r.skip_reason and not r.errors)

    def to_json(self) -> dict:
        """What the preview page shows, for an import job's result (from_json)."""
        return {"file_errors": self.file_errors, "rows": [
            {"number": r.number, "values": r.values, "errors": r.errors, "skip_reason": r.skip_reason} for r in self.rows
        ]}

    @classmethod
    def from_json(cls, data: dict) -> "LedgerPreview":
        return cls(rows=[LedgerRow(**row) for row in data["rows"]], file_errors=data["file_errors"])


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(str(value or ""))
    if not match:
        raise ValueError
    return date(int(match[1]), int(match[2]), int(match[3]))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_file(content: bytes) -> None:
    """What _read_sheet refuses before parsing (the type, then the safe reader's limits), without
    reading a row: a page runs it before it hands a large file to an import job."""
    if not content.startswith(b"PK\x03\x04"):
        raise ImportRefused("文件不是 Excel（.xlsx）格式，请用 Excel 另存为 .xlsx 后再导入。")
    try:
        spreadsheets.check_file(content, max_rows=MAX_ROWS)
    except SpreadsheetRefused as exc:
        message = "文件无法读取，请确认是完整的 Excel（.xlsx）文件。" if exc.message == NOT_READABLE else exc.message
        raise ImportRefused(message) from None


def _read_sheet(content: bytes) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    """Returns (field → column index, [(row number, cells)])."""
    if not content.startswith(b"PK\x03\x04"):
        raise ImportRefused("文件不是 Excel（.xlsx）格式，请用 Excel 另存为 .xlsx 后再导入。")
    try:
        rows = iter(read_rows(content, max_rows=MAX_ROWS))
    except SpreadsheetRefused as exc:
        message = "文件无法读取，请确认是完整的 Excel（.xlsx）文件。" if exc.message == NOT_READABLE else exc.message
        raise ImportRefused(message) from None
    columns, header_number = {}, 0
    for number, cells in enumerate(rows, start=1):
        texts = [_cell_text(c) for c in cells]
        found = {}
        for field_name, names in COLUMNS.items():
            for index, text in enumerate(texts):
                if text in names and field_name not in found:
                    found[field_name] = index
        if "estate" in found and "category" in found:
            columns, header_number = found, number
            break
        if number >= 10:
            break
    if not columns:
        raise ImportRefused(f"未找到表头。第一张工作表的前 10 行中应有：{'、'.join(TEMPLATE_HEADERS)}。")
    missing = [label for name, label in REQUIRED.items() if name not in columns]
    if missing:
        raise ImportRefused(f"表头缺少必填列：{'、'.join(missing)}。")
    data = []
    for number, cells in enumerate(rows, start=header_number + 1):
        if all(_cell_text(c) == "" for c in cells):
            continue
        data.append((number, tuple(cells)))
        if len(data) > MAX_ROWS:
            raise ImportRefused(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
    return columns, data


def _fingerprint(round: InspectionRound, row: LedgerRow) -> str:
    text = "|".join([str(round.pk), str(row.estate.pk), row.visited_on.isoformat(), str(row.category.pk),
                     row.values["description"]])
    return hashlib.sha256(text.encode()).hexdigest()


def ledger_preview(*, user: User, round: InspectionRound, content: bytes, progress=None) -> LedgerPreview:
    """Reads the sheet and checks every row against the round, with bulk look-ups (estates,
    categories and earlier imports each in one query). Writes nothing. `progress(done, total)`
    (an import job's) is called as rows are checked."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(f"文件超过 {MAX_BYTES // (1024 * 1024)}MB。")
    columns, data = _read_sheet(content)
    estates: dict[str, list] = {}
    for estate in selectors.round_area_estates(round=round, user=user).select_related("community"):
        estates.setdefault(estate.name, []).append(estate)
    categories = {}
    for category in selectors.leaf_categories():
        categories[category.code.upper()] = category
        categories[category.label] = category
    today = timezone.localdate()
    rows = []
    for done, (number, cells) in enumerate(data, start=1):
        if progress is not None:
            progress(done, len(data))
        values = {name: _cell_text(cells[index]) if index < len(cells) else "" for name, index in columns.items()}
        raw = {name: cells[index] if index < len(cells) else None for name, index in columns.items()}
        values.setdefault("community", "")
        row = LedgerRow(number=number, values=values)
        for name, label in REQUIRED.items():
            if not values.get(name):
                row.errors.append(f"“{label}”不能为空。")
        for name, label, limit in LIMITS:
            if len(values.get(name, "")) > limit:
                row.errors.append(f"“{label}”过长（最多 {limit} 字）。")
        if values.get("estate"):
            matches = estates.get(values["estate"], [])
            if values["community"]:
                matches = [e for e in matches if e.community.name == values["community"]]
            if not matches:
                row.errors.append(f"小区“{values['estate']}”不在本轮排查范围（{round.region.name}）内或不在您的管辖范围内。")
            elif len(matches) > 1:
                row.errors.append(f"小区“{values['estate']}”在多个社区重名，请填写“社区”列。")
            else:
                row.estate = matches[0]
        if values.get("category"):
            text = values["category"]
            code = text.split()[0].upper() if text.split() else ""
            row.category = categories.get(text) or categories.get(text.upper()) or categories.get(code)
            if row.category is None:
                row.errors.append(f"问题类别“{text}”无法识别，请填写分类编码（如 A1）或整治内容原文。")
        if values.get("visited_on"):
            try:
                row.visited_on = _parse_date(raw["visited_on"])
            except ValueError:
                row.errors.append(f"排查日期“{values['visited_on']}”格式不正确，应为 2026-03-05。")
            else:
                if row.visited_on > today:
                    row.errors.append("排查日期不能晚于今天。")
                elif not round.start_date <= row.visited_on <= round.end_date:
                    row.errors.append(
                        f"排查日期须在本轮排查期间（{round.start_date:%Y-%m-%d} 至 {round.end_date:%Y-%m-%d}）内。"
                    )
        if values.get("deadline"):
            try:
                row.deadline = _parse_date(raw["deadline"])
            except ValueError:
                row.errors.append(f"完成时限“{values['deadline']}”格式不正确，应为 2026-03-05。")
        if not row.errors:
            row.key = _fingerprint(round, row)
        rows.append(row)
    keys = [r.key for r in rows if r.key]
    imported = set(VisitLine.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
    first_seen: dict[str, int] = {}
    for row in rows:
        if not row.key:
            continue
        if row.key in imported:
            row.skip_reason = "已导入过，跳过"
        elif row.key in first_seen:
            row.skip_reason = f"与第 {first_seen[row.key]} 行重复，跳过"
        else:
            first_seen[row.key] = row.number
    return LedgerPreview(rows=rows, file_errors=[])


def ledger_import(*, user: User, round_id, content: bytes, progress=None) -> LedgerPreview:
    """Imports the sheet into the round in one transaction: nothing if any row has an error.
    Rows of one estate, date and inspector become one submitted, imported visit (a second row of
    the same category starts another visit); each row a 不合格 line that opens or joins a case.
    Rows imported before are skipped, so a re-import adds nothing."""
    require(user, "inspection.record", "导入排查台账")
    with transaction.atomic():
        round = (
            InspectionRound.objects.visible_to(user).select_related("region", "campaign").filter(pk=round_id).first()
            if str(round_id or "").isdigit() else None
        )
        if round is None:
            raise NotFound("排查轮次不存在或不在您的管辖范围内。")
        preview = ledger_preview(user=user, round=round, content=content, progress=progress)
        if preview.errors:
            raise ImportRefused(f"导入文件有 {len(preview.errors)} 处错误，未导入任何数据。", errors=preview.errors)
        new_rows = [r for r in preview.rows if r.is_new]
        groups: dict[tuple, list[LedgerRow]] = {}
        for row in new_rows:
            index = 0
            while True:
                group_key = (row.estate.pk, row.visited_on, row.values.get("inspectors", ""), index)
                if all(r.category.pk != row.category.pk for r in groups.get(group_key, [])):
                    break
                index += 1
            groups.setdefault(group_key, []).append(row)
        now = timezone.now()
        visits = Visit.objects.bulk_create(
            Visit(
                kind=VisitKind.INSPECTION, status=VisitStatus.SUBMITTED, round=round, estate=rows[0].estate,
                visited_on=rows[0].visited_on, inspectors=rows[0].values.get("inspectors", ""), is_imported=True,
                note="由 Excel 排查台账导入", created_by=user, created_at=now, submitted_by=user, submitted_at=now,
            )
            for rows in groups.values()
        )
        items = {i.category_id: i for i in selectors.round_checklist(round=round, active_only=False)}
        for visit, rows in zip(visits, groups.values(), strict=True):
            lines = VisitLine.objects.bulk_create(
                VisitLine(
                    visit=visit, item=items.get(r.category.pk), category=r.category, result=LineResult.FAIL,
                    note=r.values["description"], measures=r.values.get("measures", ""),
                    responsible_person=r.values.get("responsible_person", ""), deadline=r.deadline, import_key=r.key,
                )
                for r in rows
            )
            visit.estate = rows[0].estate
            open_cases_for_failures(visit=visit, user=user, round=round, failures=lines)
    return preview
