"""The one export helper: streams rows into openpyxl's write-only workbook, and writes user
text so that it can never run as a formula.

Data rows skip openpyxl's per-cell objects: `_SheetWriter` writes each row's XML itself, the
same bytes openpyxl's cell writer produces for the values `cell_value` returns (strings as
inline text, numbers, dates with openpyxl's date styles), a sheet about five times faster (the
county workbook's 整改台账 has 15,000 rows of 14 cells). tests/core/test_xlsx.py compares whole
workbooks with openpyxl's cell-by-cell output, byte for byte, so an openpyxl upgrade that changes
its output or the internals used here (WorksheetWriter, the sheet's _writer) fails there first."""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

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
    # before the first row: what openpyxl's own _get_writer would do, with our writer
    sheet._writer = writer = _SheetWriter(sheet)
    writer.write_top()
    bold = Font(bold=True)
    header_count = 0
    for header_row in [*header_rows, headers]:
        header_cells = []
        for header in header_row:
            cell = _cell(sheet, header)
            if not hasattr(cell, "font"):  # a number or date header: wrap it to style it
                cell = WriteOnlyCell(sheet, value=cell)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)  # opens <sheetData>: the data rows follow inside it
        header_count += 1
    return writer.write_values(rows, first_row=header_count + 1)


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


#: what lxml refuses in text (it raises); such a string goes to lxml so that it raises the same
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ROWS_PER_WRITE = 500


class _SheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer, writing into a file it holds open so that rows of plain
    values can be written there directly, between the elements openpyxl writes through lxml."""

    def get_stream(self):
        # openpyxl's get_stream, on a file object of ours instead of the path
        with open(self.out, "wb") as file, xmlfile(file) as xf:
            self._file, self._xf = file, xf
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        el = yield
                        if el is True:
                            yield xf
                        elif el is not None:
                            xf.write(el)
                except GeneratorExit:
                    pass

    def write_values(self, rows: Iterable[Sequence], *, first_row: int) -> int:
        """Writes rows of values (as `cell_value` turns them into cells) from `first_row` on,
        inside the <sheetData> the header rows opened. Returns the number of rows."""
        row_number, chunk = first_row, []
        date_styles: dict[type, str] = {}
        for row in rows:
            chunk.append(self._row_xml(row, row_number, date_styles))
            row_number += 1
            if len(chunk) == _ROWS_PER_WRITE:
                self._write_raw("".join(chunk))
                chunk = []
        if chunk:
            self._write_raw("".join(chunk))
        return row_number - first_row

    def _write_raw(self, xml: str) -> None:
        self._xf.flush()  # what lxml buffered goes first
        # the stream's encoding: ASCII, anything else as a character reference (as lxml writes it)
        self._file.write(xml.encode("ascii", "xmlcharrefreplace"))

    def _row_xml(self, row: Sequence, row_number: int, date_styles: dict[type, str]) -> str:
        number = str(row_number)
        parts = [f'<row r="{number}">']
        for column, raw in enumerate(row, start=1):
            value = cell_value(raw)
            ref = _column_letter(column) + number
            if isinstance(value, str):
                if not value:
                    parts.append(f'<c r="{ref}" t="inlineStr"></c>')
                    continue
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>')
            elif isinstance(value, date):
                if getattr(value, "tzinfo", None) is not None:  # as openpyxl refuses it
                    raise TypeError("Excel does not support timezones in datetimes. "
                                    "The tzinfo in the datetime/time object must be set to None.")
                style = date_styles.get(type(value))
                if style is None:  # openpyxl's number format for the type, registered in the workbook
                    style = date_styles[type(value)] = str(WriteOnlyCell(self.ws, value=value).style_id)
                parts.append(f'<c r="{ref}" s="{style}" t="n"><v>{safe_string(to_excel(value, self.ws.parent.epoch))}</v></c>')
            else:  # int, float, Decimal
                parts.append(f'<c r="{ref}" t="n"><v>{safe_string(value)}</v></c>')
        parts.append("</row>")
        return "".join(parts)


_COLUMN_LETTERS = [get_column_letter(index) for index in range(1, 101)]


def _column_letter(column: int) -> str:
    return _COLUMN_LETTERS[column - 1] if column <= len(_COLUMN_LETTERS) else get_column_letter(column)


def _xml_text(value: str) -> str:
    """Text content escaped as lxml escapes it (non-ASCII is left to the stream's encoding)."""
    if _NOT_XML_TEXT.search(value):
        etree.Element("t").text = value  # raises lxml's own error for text XML cannot hold
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


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
