"""The one export helper: streams rows into openpyxl's write-only workbook, and writes user
text so that it can never run as a formula."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def looks_like_formula(value: str) -> bool:
    return bool(value) and value.startswith(FORMULA_PREFIXES)


def cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return str(value)


def write_sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    header_rows: Sequence[Sequence[str]] = (),
    freeze: str | None = None,
    widths: Sequence[float] | None = None,
) -> int:
    """Writes one sheet: optional extra header rows (e.g. a group band) above `headers`, a frozen
    pane (e.g. "B3") and column widths. Returns the number of data rows written."""
    sheet = workbook.create_sheet(title=title[:31])
    if widths:
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    bold = Font(bold=True)
    for header_row in [*header_rows, headers]:
        header_cells = []
        for header in header_row:
            cell = _cell(sheet, header)
            if not hasattr(cell, "font"):  # a number or date header: wrap it to style it
                cell = WriteOnlyCell(sheet, value=cell)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    return count


def _cell(sheet, raw):
    """User text is always stored as a string cell: openpyxl would otherwise turn text that
    starts with "=" into a formula, which the city bureau's Excel would then execute."""
    value = cell_value(raw)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = value
        cell.data_type = "s"
        return cell
    return value


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        write_sheet(workbook, title, headers, rows)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
