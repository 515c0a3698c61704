"""Generic register import (名册导入): one row schema → upload, preview with a Chinese reason per
row, "仅导入有效行" in one transaction, an error-row .xlsx (with a 错误原因 column) that imports
again as it is, and a template .xlsx generated from the schema. Built on core.spreadsheets (the
one safe reader: .xlsx, .xls, .csv in UTF-8 / GBK) and core.xlsx (formula-safe writing), the same
pattern as the 12345 import (complaints.importer); large files run as core.ImportJob jobs.

An app declares a `RowSchema` and wires its pages with a few lines::

    # communities/registers.py
    from core import tabular_import as ti

    def _prepare(rows, *, user):            # bulk lookups once, so queries do not grow with rows
        return {"existing": {e.name: e for e in Thing.objects.visible_to(user)}}

    def _validate(row, *, context, user):   # row.values holds typed values; raise or add errors
        if row.values["name"] in context["existing"]:
            row.note = "更新"                 # shown in the preview's 结果 column
        if row.values["end"] and row.values["start"] and row.values["end"] < row.values["start"]:
            raise InvalidInput("结束日期不能早于开始日期")

    def _save(rows, *, user, context):       # inside one transaction; use core.bulk.bulk_insert
        bulk_insert(Thing, ["name", "start"], [(r.values["name"], r.values["start"]) for r in rows])
        return len(rows)                     # or {"imported": n, "message": "…"}

    THING_IMPORT = ti.register(ti.RowSchema(
        key="communities.things", title="某某名册", capability="register.import",
        columns=[
            ti.Column("name", "名称", ti.text(max_length=100), required=True, synonyms=("项目名称",)),
            ti.Column("start", "开始日期", ti.date_value(), example="2025-01-01"),
            ti.Column("kind", "类型", ti.choice(SomeTextChoices, synonyms={"其他": "other"})),
        ],
        prepare=_prepare, validate=_validate, save_rows=_save,
        natural_key=lambda values: values["name"],   # a second row with the same key is an error
        back_url="communities:thing-list",
    ))

    # communities/urls.py
    urlpatterns += ti.urls(THING_IMPORT, "things/import/", name="thing-import")
    # → thing-import (upload/preview), thing-import-confirm, thing-import-errors, thing-import-template

    # communities/apps.py ready(): import the module so that the job runners are registered
    from . import registers  # noqa: F401

Parsers (`text`, `integer`, `decimal`, `date_value`, `choice`, `boolean`) turn a cell (str, int,
float, datetime, None) into a typed value or raise core.errors.InvalidInput with a Chinese
message; the reason shown is "<列名>：<message>". An empty cell is None (text: "") and a required
column's empty cell is "<列名>：必填". Any callable `parse(cell) -> value` may be used.

The header row is found among the first HEADER_SCAN_ROWS rows (a WPS/Excel title row above it is
skipped) by headings or synonyms, compared without spaces, "*", "（必填）" and with full-width
characters folded; unknown columns (原行号, 错误原因, 备注 …) are ignored, blank rows skipped, and
a row with text in one cell only below the header (a note, 合计 …) is counted as skipped. The
preview is kept as a plain dict (`Preview.summary()`), so the synchronous page and an import job's
page render the same template (templates/core/tabular_import.html)."""

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from . import jobs, spreadsheets
from .errors import DomainError, ImportRefused, InvalidInput, NotFound, PermissionDenied
from .files import private_storage
from .models import ImportJob
from .xlsx import XLSX_CONTENT_TYPE, write_sheet

HEADER_SCAN_ROWS = 30
MAX_ROWS = 20_000
#: rows shown on the preview page (those in error first)
DISPLAY_ROWS = 500
REASON_HEADING = "错误原因"
LINE_HEADING = "原行号"

STATUS_LABELS = {"valid": "有效", "error": "错误", "skipped": "已跳过"}


# ---------------------------------------------------------------------------------------------
# Parsers: cell → typed value, or InvalidInput with a Chinese message


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    return unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(*, max_length: int | None = None, min_length: int = 0) -> Callable:
    """Text, stripped; numbers written as text (a phone read as 13800138000.0) come back whole."""

    def parse(value) -> str:
        if isinstance(value, str):
            result = value.strip()
        else:
            result = _cell_text(value)
        if max_length is not None and len(result) > max_length:
            raise InvalidInput(f"不能超过 {max_length} 个字（当前 {len(result)} 个）")
        if len(result) < min_length:
            raise InvalidInput(f"至少 {min_length} 个字")
        return result

    parse.kind = "文本" + (f"，最多 {max_length} 个字" if max_length else "")
    return parse


#: a number and an optional unit starting with a non-digit (户, 部, ㎡ — "m2" once NFKC-folded)
_NUMBER = re.compile(r"^([+-]?[0-9][0-9,]*(?:\.[0-9]+)?|[+-]?\.[0-9]+)\s*((?:[^\d.,+-]).{0,5})?$")


def _number_text(value) -> tuple[str, str]:
    """(digits, unit) of a number written as text: "1,234户", "3 部", "12,345.6㎡"."""
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace("，", ",").replace(" ", "")
    match = _NUMBER.match(raw)
    if not match:
        raise InvalidInput(f"应为数字（填写的是“{str(value).strip()[:20]}”）")
    return match.group(1).replace(",", ""), match.group(2) or ""


def integer(*, min_value: int | None = 0, max_value: int | None = None) -> Callable:
    """A whole number; "1,234", "320户", 320.0 are accepted."""

    def parse(value) -> int:
        if isinstance(value, bool):
            raise InvalidInput("应为整数")
        if isinstance(value, int):
            result = value
        elif isinstance(value, float):
            if not value.is_integer():
                raise InvalidInput(f"应为整数（填写的是 {value:g}）")
            result = int(value)
        else:
            digits, _unit = _number_text(value)
            try:
                number = Decimal(digits)
            except InvalidOperation as exc:
                raise InvalidInput("应为整数") from exc
            if number != number.to_integral_value():
                raise InvalidInput(f"应为整数（填写的是 {digits}）")
            result = int(number)
        if min_value is not None and result < min_value:
            raise InvalidInput(f"不能小于 {min_value}")
        if max_value is not None and result > max_value:
            raise InvalidInput(f"不能大于 {max_value}")
        return result

    parse.kind = "整数"
    return parse


def decimal(*, places: int = 2, min_value: Decimal | int | None = 0, max_digits: int = 14) -> Callable:
    """A Decimal rounded to `places` (never a float); "12,345.6", "8000㎡" accepted."""
    quantum = Decimal(1).scaleb(-places)

    def parse(value) -> Decimal:
        if isinstance(value, bool):
            raise InvalidInput("应为数字")
        try:
            if isinstance(value, int | float):
                number = Decimal(str(value))
            else:
                number = Decimal(_number_text(value)[0])
            number = number.quantize(quantum)
        except InvalidOperation as exc:
            raise InvalidInput("应为数字") from exc
        if min_value is not None and number < min_value:
            raise InvalidInput(f"不能小于 {min_value}")
        if len(number.as_tuple().digits) > max_digits:
            raise InvalidInput("数值过大")
        return number

    parse.kind = f"数字（最多 {places} 位小数）"
    return parse


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def date_value() -> Callable:
    """A date from an Excel date cell, an Excel serial number, or text: 2025-06-03, 2025/6/3,
    2025.6.3, 2025年6月3日, 20250603."""

    def parse(value) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 20000 <= value <= 80000:  # an Excel serial number (1954–2119)
                return _EXCEL_EPOCH + timedelta(days=int(value))
            if 19000101 <= value <= 21001231:
                value = str(int(value))
            else:
                raise InvalidInput("应为日期，如 2025-06-03")
        raw = unicodedata.normalize("NFKC", str(value)).strip()
        match = _DATE.match(raw) or _COMPACT_DATE.match(raw)
        if not match:
            raise InvalidInput(f"应为日期，如 2025-06-03（填写的是“{raw[:20]}”）")
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError as exc:
            raise InvalidInput(f"日期不存在（{raw[:20]}）") from exc

    parse.kind = "日期，如 2025-06-03"
    return parse


_TRUE = {"是", "有", "已", "已建立", "已成立", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "未", "没有", "未建立", "未成立", "n", "no", "false", "0", "×", "✗", "不"}


def boolean() -> Callable:
    """是/否 (有/无, Y/N, √/×, 1/0)."""

    def parse(value) -> bool:
        if isinstance(value, bool):
            return value
        raw = _cell_text(value).lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise InvalidInput(f"应填写“是”或“否”（填写的是“{raw[:20]}”）")

    parse.kind = "是 / 否"
    return parse


def _fold(value: str) -> str:
    return re.sub(r"[\s　]+", "", unicodedata.normalize("NFKC", str(value))).lower()


def choice(choices, *, synonyms: dict[str, str] | None = None) -> Callable:
    """One of a TextChoices (or (value, label) pairs), by its label, its value, or a synonym."""
    pairs = list(choices.choices) if hasattr(choices, "choices") else list(choices)
    lookup = {}
    for value, label in pairs:
        lookup[_fold(label)] = value
        lookup[_fold(value)] = value
    for word, value in (synonyms or {}).items():
        lookup[_fold(word)] = value
    labels = "、".join(str(label) for _value, label in pairs)

    def parse(value):
        key = _fold(_cell_text(value))
        if key in lookup:
            return lookup[key]
        raise InvalidInput(f"应为以下之一：{labels}（填写的是“{_cell_text(value)[:20]}”）")

    parse.kind = f"可选：{labels}"
    return parse


# ---------------------------------------------------------------------------------------------
# Schema


@dataclass(frozen=True)
class Column:
    """One column: `key` in row.values, its Chinese heading `label` (the template's), other
    headings the files use (`synonyms`), `parse` (cell → typed value), whether it is required, a
    help text and an example for the template's 填写说明 sheet."""

    key: str
    label: str
    parse: Callable = field(default_factory=text)
    required: bool = False
    synonyms: Sequence[str] = ()
    help: str = ""
    example: str = ""

    def parse_cell(self, value):
        if is_blank(value):
            if self.required:
                raise InvalidInput("必填")
            return "" if getattr(self.parse, "kind", "").startswith("文本") else None
        return self.parse(value)


@dataclass
class Row:
    """One data row: its Excel line number, the cells as written (`raw`, by column key), the typed
    values (`values`), its status (valid | error | skipped), its reasons, and a note the schema's
    validator may set for the preview (e.g. 新增 / 更新)."""

    line: int
    raw: dict
    values: dict = field(default_factory=dict)
    status: str = "valid"
    errors: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def status_label(self) -> str:
        if self.status == "valid" and self.note:
            return self.note
        return STATUS_LABELS[self.status]

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.status = "error"


@dataclass(frozen=True)
class RowSchema:
    """A register import. `prepare(rows, *, user) -> context` does the bulk lookups once (rows are
    those whose cells parsed); `validate(row, *, context, user)` checks one row (raise a
    DomainError or call row.error); `save_rows(rows, *, user, context)` writes the valid rows inside
    the one transaction and returns their count or a dict with `imported` (and `message`).
    `capability` is checked with user.can(); `natural_key(values)` marks a second row with the
    same key in one file as an error; `preview_columns` are the keys shown in the preview."""

    key: str
    title: str
    columns: Sequence[Column]
    save_rows: Callable
    capability: str
    prepare: Callable | None = None
    validate: Callable | None = None
    natural_key: Callable | None = None
    preview_columns: Sequence[str] = ()
    back_url: str = ""
    description: str = ""
    max_rows: int = MAX_ROWS

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def shown_columns(self) -> list[Column]:
        keys = self.preview_columns or [c.key for c in self.columns[:4]]
        return [c for c in self.columns if c.key in keys]

    def check(self, user) -> None:
        if not (user is not None and user.is_authenticated and user.can(self.capability)):
            raise PermissionDenied(f"您没有权限导入{self.title}。")


# ---------------------------------------------------------------------------------------------
# Reading


def _heading_key(value) -> str:
    text_value = _fold(_cell_text(value)) if value is not None else ""
    text_value = re.sub(r"[*＊]|[(（]?(必填|选填|可选)[)）]?|[:：]$", "", text_value)
    return text_value


def _headings(schema: RowSchema) -> dict[str, str]:
    """Folded heading → column key; a heading with a unit in brackets also matches without it."""
    found = {}
    for column in schema.columns:
        for heading in (column.label, *column.synonyms, column.key):
            key = _heading_key(heading)
            found.setdefault(key, column.key)
            found.setdefault(re.sub(r"\(.*?\)$", "", key), column.key)
    return found


def _header_map(cells, headings: dict[str, str]) -> dict[int, str]:
    mapping = {}
    for index, cell in enumerate(cells):
        key = _heading_key(cell)
        column = headings.get(key) or headings.get(re.sub(r"\(.*?\)$", "", key))
        if column and column not in mapping.values():
            mapping[index] = column
    return mapping


def read_table(schema: RowSchema, data: bytes, *, filename: str = "") -> list[Row]:
    """The file's data rows under its header row (see the module docstring), cells by key."""
    try:
        cells_rows = spreadsheets.read_rows(bytes(data), filename=filename, max_rows=schema.max_rows)
    except spreadsheets.SpreadsheetRefused as exc:
        raise ImportRefused(exc.message) from exc
    return rows_from_cells(schema, cells_rows)


#: rows below the header that are not data: totals, counts, notes, signatures
_NOTE = re.compile(
    r"^(合计|总计|小计|共计|汇总|总数)|^共\s*[0-9]+\s*(个|条|行|家|户)"
    r"|^(制表|填报|审核|导出|打印|统计)(人|时间|日期|单位|部门)|^(注|备注|说明|填表说明)\s*[:：]"
)


def _is_note(cells, lone, mapping) -> bool:
    """A row with one filled cell that is a note or a total, or outside the known columns (a
    note written under 序号); a lone value in a known column is a data row (in error)."""
    if not isinstance(lone, str):
        return False
    index = next(i for i, c in enumerate(cells) if c is lone)
    return index not in mapping or bool(_NOTE.match(lone.strip()))


def rows_from_cells(schema: RowSchema, cells_rows: Iterable[Sequence]) -> list[Row]:
    headings = _headings(schema)
    required = {c.key for c in schema.required}
    mapping, best, rows = None, {}, []
    for line, cells in enumerate(cells_rows, start=1):
        cells = list(cells or ())
        if mapping is None:
            candidate = _header_map(cells, headings)
            if len(candidate) > len(best):
                best = candidate
            if len(candidate) >= min(2, len(schema.columns)) and required <= set(candidate.values()):
                mapping = candidate
            elif line >= HEADER_SCAN_ROWS:
                break
            continue
        if all(is_blank(c) for c in cells):
            continue
        raw = {key: cells[index] if index < len(cells) else None for index, key in mapping.items()}
        row = Row(line=line, raw=raw)
        filled = [c for c in cells if not is_blank(c)]
        if len(filled) == 1 and len(mapping) > 1 and _is_note(cells, filled[0], mapping):
            row.status, row.note = "skipped", f"说明行（“{_cell_text(filled[0])[:20]}”），已跳过"
        rows.append(row)
        if len(rows) > schema.max_rows:
            raise ImportRefused(f"单个文件最多导入 {schema.max_rows} 行，请拆分后再导入。")
    if mapping is None:
        if len(best) >= 2:
            missing = [c.label for c in schema.required if c.key not in best.values()]
            raise ImportRefused(f"表头缺少必需的列：{'、'.join(missing)}。可下载导入模板对照填写。")
        raise ImportRefused(
            f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头。表头应包含：{'、'.join(c.label for c in schema.required)}"
            "，请下载导入模板对照填写。"
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Preview and import


@dataclass
class Preview:
    schema: RowSchema
    rows: list[Row]
    imported: int = 0
    message: str = ""

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def valid(self) -> list[Row]:
        return [r for r in self.rows if r.status == "valid"]

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.status == "error"]

    def counts(self) -> dict:
        notes = {}
        for row in self.valid:
            if row.note:
                notes[row.note] = notes.get(row.note, 0) + 1
        return {"rows": len(self.rows) - self.count("skipped"), "valid": self.count("valid"),
                "error": self.count("error"), "skipped": self.count("skipped"), "imported": self.imported,
                "notes": notes}

    def summary(self, limit: int = DISPLAY_ROWS) -> dict:
        """What the preview page shows, as JSON-ready data (kept in an import job's result)."""
        shown = self.schema.shown_columns
        ordered = self.rejected + [r for r in self.rows if r.status != "error"]
        return {
            "counts": self.counts(),
            "columns": [c.label for c in shown],
            "rows": [{"line": r.line, "status": r.status, "label": r.status_label,
                      "cells": [[c.label, _cell_text(r.raw.get(c.key))] for c in shown],
                      "reasons": "；".join(r.errors) or (r.note if r.status == "skipped" else "")}
                     for r in ordered[:limit]],
            "more": max(0, len(ordered) - limit),
        }


def preview(schema: RowSchema, source, *, user, filename: str = "", progress=None) -> Preview:
    """Every row parsed and checked, nothing written. `source` is the file's bytes or rows from
    read_table."""
    schema.check(user)
    rows = source if isinstance(source, list) else read_table(schema, source, filename=filename)
    for row in rows:
        if row.status == "skipped":
            continue
        row.status, row.errors, row.values = "valid", [], {}
        for column in schema.columns:
            try:
                row.values[column.key] = column.parse_cell(row.raw.get(column.key))
            except DomainError as exc:
                row.error(f"{column.label}：{exc.message}")
    parsed = [r for r in rows if r.status == "valid"]
    context = schema.prepare(parsed, user=user) if schema.prepare else {}
    seen: dict = {}
    for done, row in enumerate(parsed, start=1):
        if schema.validate:
            try:
                schema.validate(row, context=context, user=user)
            except DomainError as exc:
                row.error(exc.message)
        if schema.natural_key and row.status == "valid":
            key = schema.natural_key(row.values)
            if key in seen:
                row.error(f"与第 {seen[key]} 行重复")
            else:
                seen[key] = row.line
        if progress:
            progress(done, len(parsed))
    return Preview(schema=schema, rows=rows)


def import_rows(schema: RowSchema, source, *, user, valid_only: bool = False, filename: str = "",
                progress=None) -> Preview:
    """Checks every row again and writes the valid ones in one transaction (all or nothing).
    Without `valid_only`, a file with any row in error is refused whole."""
    with transaction.atomic():
        result = preview(schema, source, user=user, filename=filename, progress=progress)
        if result.rejected and not valid_only:
            reasons = [f"第 {r.line} 行：{'；'.join(r.errors)}" for r in result.rejected[:20]]
            raise ImportRefused(f"有 {len(result.rejected)} 行错误，未导入任何行。", errors=reasons)
        valid = result.valid
        if valid:
            context = schema.prepare(valid, user=user) if schema.prepare else {}
            saved = schema.save_rows(valid, user=user, context=context)
        else:
            saved = 0
    if isinstance(saved, dict):
        result.imported, result.message = saved.get("imported", len(valid)), saved.get("message", "")
    else:
        result.imported = len(valid) if saved is None else int(saved)
    return result


# ---------------------------------------------------------------------------------------------
# Files written: the error rows and the template


def _sheet_cell(value):
    """A raw cell as the user wrote it (dates stay dates; text is written formula-safe)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def error_rows_xlsx(result: Preview) -> bytes:
    """The rows in error with the schema's headings as written plus 原行号 and 错误原因; once
    fixed it imports again as it is (those two columns are ignored)."""
    columns = list(result.schema.columns)
    headers = [LINE_HEADING, *(c.label for c in columns), REASON_HEADING]
    rows = ([r.line, *(_sheet_cell(r.raw.get(c.key)) for c in columns), "；".join(r.errors)]
            for r in result.rejected)
    return _workbook([(f"待修正{result.schema.title}"[:31], headers, rows, [8, *(_width(c) for c in columns), 40])])


def template_xlsx(schema: RowSchema) -> bytes:
    """The template: the headings on the first sheet (required ones marked *), and a 填写说明
    sheet listing each column, whether it is required, what it takes and an example."""
    headers = [f"{c.label}*" if c.required else c.label for c in schema.columns]
    notes = [[c.label, "是" if c.required else "否", c.help or getattr(c.parse, "kind", ""), c.example]
             for c in schema.columns]
    return _workbook([
        (schema.title[:31], headers, [], [_width(c) for c in schema.columns]),
        ("填写说明", ["列名", "必填", "填写要求", "示例"], notes, [18, 6, 60, 24]),
    ])


def _width(column: Column) -> float:
    return max(10, min(30, len(column.label) * 2 + 4))


def _workbook(sheets) -> bytes:
    workbook = Workbook(write_only=True)
    for title, headers, rows, widths in sheets:
        write_sheet(workbook, title, headers, rows, widths=widths, freeze="A2")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------------------------------------
# Jobs and pages

_SCHEMAS: dict[str, RowSchema] = {}


def _job_kinds(schema: RowSchema) -> tuple[str, str]:
    return f"{schema.key}.preview"[:50], f"{schema.key}.import"[:50]


def register(schema: RowSchema) -> RowSchema:
    """Registers the schema's import-job runners (call at import time of a module its AppConfig
    imports in ready(), so that the worker knows them too)."""
    _SCHEMAS[schema.key] = schema
    preview_kind, import_kind = _job_kinds(schema)

    @jobs.runner(preview_kind)
    def preview_job(*, job: ImportJob, data: bytes, progress) -> dict:
        result = preview(schema, data, user=job.owner, filename=job.file_name, progress=progress)
        pending = _keep(data, job.file_name)
        return {"pending": pending, "summary": result.summary(), "errors": _store_errors(result, job.file_name),
                "next": f"{job.options['back']}?job={job.pk}"}

    @jobs.runner(import_kind)
    def import_job(*, job: ImportJob, data: None, progress) -> dict:
        pending = job.options["pending"]
        if not private_storage.exists(pending["path"]):
            raise ImportRefused("导入文件已过期，请重新上传。")
        with private_storage.open(pending["path"], "rb") as handle:
            content = handle.read()
        result = import_rows(schema, content, user=job.owner, valid_only=job.options.get("valid_only", False),
                             filename=pending.get("name", ""), progress=progress)
        _discard(pending)
        return {"message": _done_message(result), "errors": _store_errors(result, pending.get("name", "")),
                "pending_path": pending["path"], "next": f"{job.options['back']}?job={job.pk}"}

    return schema


def _keep(data: bytes, name: str) -> dict:
    stored = private_storage.save(f"imports/{secrets.token_hex(16)}.upload", ContentFile(data))
    return {"path": stored, "name": str(name)[:200], "bytes": len(data)}


def _discard(pending: dict | None) -> None:
    if pending and pending.get("path"):
        private_storage.delete(pending["path"])


def _store_errors(result: Preview, name: str) -> dict | None:
    if not result.rejected:
        return None
    stored = private_storage.save(f"imports/{secrets.token_hex(16)}.errors.xlsx", ContentFile(error_rows_xlsx(result)))
    return {"path": stored, "name": name, "rows": len(result.rejected)}


def _done_message(result: Preview) -> str:
    left = len(result.rejected)
    notes = "，".join(f"{label} {n} 行" for label, n in result.counts()["notes"].items())
    return (f"导入完成：{result.schema.title}共导入 {result.imported} 行" + (f"（{notes}）" if notes else "")
            + (f"；{result.message}" if result.message else "")
            + (f"；{left} 行有错误未导入，可下载“待修正行”修正后再导入。" if left else "。"))


class _Pages:
    """The four pages of one schema's import; `name` is the URL name of the upload page."""

    def __init__(self, schema: RowSchema, name: str):
        self.schema, self.name = schema, name
        self.session_key = f"tabular_import:{schema.key}"
        self.errors_key = f"tabular_import_errors:{schema.key}"

    def _url(self, request, suffix: str = "") -> str:
        namespace = request.resolver_match.namespace if request.resolver_match else ""
        return reverse(f"{namespace + ':' if namespace else ''}{self.name}{suffix}")

    def _set_errors(self, request, kept: dict | None) -> None:
        previous = request.session.pop(self.errors_key, None)
        if previous and previous.get("path") and previous != kept:
            private_storage.delete(previous["path"])
        if kept:
            request.session[self.errors_key] = kept

    def _render(self, request, context: dict, status: int = 200):
        schema = self.schema
        back = reverse(schema.back_url) if schema.back_url else ""
        context = {
            "schema": schema, "back": back, "upload_url": self._url(request),
            "confirm_url": self._url(request, "-confirm"), "errors_url": self._url(request, "-errors"),
            "template_url": self._url(request, "-template"), "errors_left": request.session.get(self.errors_key),
            **context,
        }
        return render(request, "core/tabular_import.html", context, status=status)

    def upload(self, request):
        self.schema.check(request.user)
        if request.method == "GET" and request.GET.get("job"):
            return self._job_finished(request)
        context, status = {}, 200
        if request.method == "POST":
            upload = request.FILES.get("file")
            try:
                if upload is None:
                    raise ImportRefused("请选择要导入的文件。")
                if upload.size > spreadsheets.MAX_FILE_BYTES:
                    raise ImportRefused(f"文件超过 {spreadsheets.MAX_FILE_BYTES // (1024 * 1024)}MB，请拆分后再导入。")
                data = upload.read()
                if jobs.goes_to_background(len(data)):
                    spreadsheets.check_file(data, filename=upload.name, max_rows=self.schema.max_rows)
                    job = jobs.job_create(owner=request.user, kind=_job_kinds(self.schema)[0], data=data,
                                          file_name=upload.name, options={"back": self._url(request)})
                    return redirect("import-job", pk=job.pk)
                result = preview(self.schema, data, user=request.user, filename=upload.name)
            except DomainError as exc:
                context["error"], status = exc.message, exc.status_code
            else:
                _discard(request.session.get(self.session_key))
                request.session[self.session_key] = _keep(data, upload.name)
                self._set_errors(request, _store_errors(result, upload.name[:200]))
                context.update(summary=result.summary(), file_name=upload.name, errors_left=None)
        return self._render(request, context, status)

    def _job_finished(self, request):
        preview_kind, import_kind = _job_kinds(self.schema)
        job = jobs.job_done_or_404(user=request.user, pk=request.GET["job"], kinds=[preview_kind, import_kind])
        self._set_errors(request, job.result.get("errors"))
        if job.kind == import_kind:
            pending = request.session.get(self.session_key)
            if pending and pending.get("path") == job.result.get("pending_path"):
                del request.session[self.session_key]
            messages.success(request, job.result["message"])
            return redirect(self._url(request) if job.result.get("errors") else (self._back() or self._url(request)))
        pending = job.result["pending"]
        if not private_storage.exists(pending["path"]):
            messages.error(request, "导入文件已过期，请重新上传。")
            return redirect(self._url(request))
        current = request.session.get(self.session_key)
        if not current or current.get("path") != pending["path"]:
            _discard(current)
            request.session[self.session_key] = pending
        return self._render(request, {"summary": job.result["summary"], "file_name": pending["name"],
                                      "errors_left": None})

    def _back(self) -> str:
        return reverse(self.schema.back_url) if self.schema.back_url else ""

    def confirm(self, request):
        self.schema.check(request.user)
        pending = request.session.get(self.session_key)
        if not pending or not private_storage.exists(pending["path"]):
            messages.error(request, "导入文件已过期，请重新上传。")
            return redirect(self._url(request))
        valid_only = request.POST.get("valid_only") == "1"
        if jobs.goes_to_background(pending.get("bytes", 0)):
            job = jobs.job_create(owner=request.user, kind=_job_kinds(self.schema)[1], data=None,
                                  file_name=pending.get("name", ""),
                                  options={"pending": pending, "valid_only": valid_only, "back": self._url(request)})
            return redirect("import-job", pk=job.pk)
        with private_storage.open(pending["path"], "rb") as handle:
            data = handle.read()
        try:
            result = import_rows(self.schema, data, user=request.user, valid_only=valid_only,
                                 filename=pending.get("name", ""))
        except DomainError as exc:
            context = {"error": exc.message, "error_list": getattr(exc, "errors", [])}
            try:
                again = preview(self.schema, data, user=request.user, filename=pending.get("name", ""))
                context.update(summary=again.summary(), file_name=pending.get("name", ""))
            except DomainError:
                pass
            return self._render(request, context, exc.status_code)
        _discard(pending)
        del request.session[self.session_key]
        self._set_errors(request, _store_errors(result, pending.get("name", "")))
        messages.success(request, _done_message(result))
        return redirect(self._url(request) if result.rejected else (self._back() or self._url(request)))

    def error_rows(self, request):
        self.schema.check(request.user)
        kept = request.session.get(self.errors_key)
        if not kept or not private_storage.exists(kept["path"]):
            raise NotFound("没有待修正的行，请重新上传文件预览。")
        with private_storage.open(kept["path"], "rb") as handle:
            content = handle.read()
        return _xlsx_download(content, f"待修正{self.schema.title}-{timezone.localdate():%Y%m%d}.xlsx")

    def template(self, request):
        self.schema.check(request.user)
        return _xlsx_download(template_xlsx(self.schema), f"{self.schema.title}导入模板.xlsx")


def urls(schema: RowSchema, prefix: str, *, name: str) -> list:
    """The import's URL patterns under `prefix` (e.g. "estates/import/"): `name` (upload and
    preview), `name`-confirm (POST), `name`-errors (the error rows .xlsx), `name`-template."""
    if schema.key not in _SCHEMAS:
        register(schema)
    pages = _Pages(schema, name)
    return [
        path(prefix, login_required(pages.upload), name=name),
        path(f"{prefix}confirm/", login_required(require_POST(pages.confirm)), name=f"{name}-confirm"),
        path(f"{prefix}errors.xlsx", login_required(pages.error_rows), name=f"{name}-errors"),
        path(f"{prefix}template.xlsx", login_required(pages.template), name=f"{name}-template"),
    ]
