"""The one safe reader for every spreadsheet the product imports (12345 work orders, the public
revenue ledger, inspection ledgers): .xlsx, the older .xls and .csv (UTF-8 with or without BOM,
GBK / GB18030 as Excel and WPS save them on a Chinese Windows).

Files come from outside, so every limit is checked before the file is parsed:
- .xlsx: the decompressed size of all parts together (a zip bomb), the number of shared strings,
  and the extent of the first sheet (calamine holds a sheet as one dense grid, so a lone cell at
  XFD1048576 would ask for hundreds of gigabytes). Sheets whose extent cannot be vouched for by
  the cheap byte counts are streamed with openpyxl in read-only mode instead.
- .xls: the file size (a BIFF8 sheet is at most 65,536 × 256 cells) and the row count.
- .csv: the file size and the row count; the encoding is detected, never guessed per row.

`read_rows` returns the first sheet's rows as lists of cells, row 1 first, so that an index + 1
is the line number a user sees in Excel. Empty cells are None, date cells are datetimes, numbers
are int or float, text is str. Every refusal is a SpreadsheetRefused (a 400 with a Chinese
message)."""

import codecs
import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from io import BytesIO

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from core.errors import DomainError

#: what a sheet may span at most (rows × columns, blank cells included)
MAX_SHEET_CELLS = 6_000_000
#: decompressed size of an .xlsx's parts together (a 50,000-row export is ~40 MB)
MAX_XML_BYTES = 200 * 1024 * 1024
#: distinct texts of an .xlsx (a 50,000-row export has well under 500,000)
MAX_SHARED_STRINGS = 2_000_000
#: an upload's own size
MAX_FILE_BYTES = 20 * 1024 * 1024

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

NOT_READABLE = "无法读取该文件，请上传 Excel（.xlsx、.xls）或 CSV 文件。"
TOO_BIG = "文件解压后过大，请拆分后再导入。"


class SpreadsheetRefused(DomainError):
    status_code = 400
    default_message = NOT_READABLE


def file_kind(data: bytes, filename: str = "") -> str:
    """xlsx / xls / csv, by the file's first bytes (its name only tells CSV from other text)."""
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(_OLE_MAGIC):
        return XLS
    head = data[:4096]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SpreadsheetRefused(NOT_READABLE)
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        # some platforms export an HTML table named .xls: say what to do instead of failing on it
        raise SpreadsheetRefused("该文件是网页格式的“伪 Excel”文件，请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。")
    return CSV


def check_file(data: bytes, *, filename: str = "", max_rows: int = 50_000) -> str:
    """The checks made before a file is parsed (size, type, and for .xlsx the unpacked size, shared
    strings and sheet extent), without reading a row; a page runs them before it hands a large
    file to an import job. Returns the reader to use: "csv", "calamine" or "openpyxl"."""
    if not isinstance(data, bytes | bytearray):
        raise SpreadsheetRefused(NOT_READABLE)
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetRefused(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)}MB，请拆分后再导入。")
    if not data:
        raise SpreadsheetRefused("文件是空的。")
    kind = file_kind(data, filename)
    if kind == CSV:
        return CSV
    if kind == XLS:
        return "calamine"
    return _check_xlsx(data, limit=max_rows + 100)


def read_rows(data: bytes, *, filename: str = "", max_rows: int = 50_000) -> list[list]:
    """The first sheet's rows (see the module docstring). `max_rows` bounds the data rows a caller
    accepts; a file with more than max_rows + 100 rows (room for titles and footers) is refused."""
    reader = check_file(data, filename=filename, max_rows=max_rows)
    data, limit = bytes(data), max_rows + 100
    if reader == CSV:
        return _rows_from_csv(data, limit=limit)
    if reader == "openpyxl":
        return _rows_with_openpyxl(data, limit=limit)
    return _rows_from_calamine(data, limit=limit)


def _too_many_rows(limit: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"单个文件最多导入 {limit - 100} 行，请拆分后再导入。")


# --- CSV ---------------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312,
    what Excel and WPS write on a Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SpreadsheetRefused("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码后再导入。") from exc


def _rows_from_csv(data: bytes, *, limit: int) -> list[list]:
    text = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    rows = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append([c if c.strip() else None for c in cells])
            if len(rows) > limit:
                raise _too_many_rows(limit)
    except csv.Error as exc:
        raise SpreadsheetRefused(f"CSV 文件格式有误：第 {len(rows) + 1} 行无法解析。") from exc
    return rows


# --- .xls / .xlsx through calamine ---------------------------------------------------------------

def _cells(row) -> list:
    """Cells as openpyxl gives them: calamine gives an empty cell as "" (openpyxl: None) and a
    date cell as a date (openpyxl: a datetime at midnight)."""
    return [(c or None) if (kind := type(c)) is str else datetime.combine(c, time()) if kind is date else c
            for c in row]


def _rows_from_calamine(data: bytes, *, limit: int) -> list[list]:
    try:
        sheet = CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0)
        if sheet.total_height > limit + 1000 and sheet.height > limit:
            raise _too_many_rows(limit)
        cells = sheet.to_python(skip_empty_area=False)  # from A1, so line numbers are Excel's
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # calamine raises its own errors for a damaged workbook
        raise SpreadsheetRefused(NOT_READABLE) from exc
    rows = [_cells(row) for row in cells]
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    if len(rows) > limit:
        raise _too_many_rows(limit)
    return rows


def _rows_with_openpyxl(data: bytes, *, limit: int) -> list[list]:
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-xlsx file
        raise SpreadsheetRefused(NOT_READABLE) from exc
    rows, blank_run = [], 0
    try:
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            row = list(cells or ())
            blank = all(c is None or (type(c) is str and not c.strip()) for c in row)
            blank_run = blank_run + 1 if blank else 0
            if blank_run > 10_000:  # a sheet of blank rows: nothing more will come
                break
            rows.append(row)
            if len(rows) > limit + blank_run:
                raise _too_many_rows(limit)
    finally:
        workbook.close()
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    return rows


_XML_ENCODING = re.compile(rb'<\?xml[^>]*?encoding=["\']([^"\']+)')
_FAR_ROW = re.compile(rb'r="[A-Za-z]{0,4}([0-9]{6,})')
_WIDE_COLUMN = re.compile(rb'r="([A-Za-z]{2,})[0-9]')
_NOT_CELL = re.compile(rb"<c[^\s>/]")
_CELL_ROW = re.compile(rb'<c r="[A-Za-z]+([0-9]+)')
_SHARED_COUNT = re.compile(rb'uniqueCount="([0-9]+)"')


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


def _check_xlsx(data: bytes, *, limit: int) -> str:
    """Refuses what is not an .xlsx workbook, a workbook too large once decompressed (a zip bomb),
    too many shared strings, or a sheet spanning too many cells. Returns the reader to use:
    "calamine", or "openpyxl" (streaming, slower) for a sheet whose extent cannot be vouched for
    cheaply."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetRefused(NOT_READABLE) from exc
    if "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(NOT_READABLE)
    left, reader = MAX_XML_BYTES, "calamine"
    with archive:
        for info in archive.infolist():  # any member may be named as a sheet by the workbook's rels
            if info.is_dir():
                continue
            if info.file_size > left:
                raise SpreadsheetRefused(TOO_BIG)
            try:
                with archive.open(info) as member:
                    xml = member.read(left + 1)
            except Exception as exc:  # a damaged member: zlib, CRC, encryption errors
                raise SpreadsheetRefused(NOT_READABLE) from exc
            left -= len(xml)
            if left < 0:
                raise SpreadsheetRefused(TOO_BIG)
            if xml[:4] in (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"<\x00?\x00", b"\x00<\x00?"):  # UTF-16
                reader = "openpyxl"
                continue
            if info.filename.endswith("sharedStrings.xml"):
                declared = _SHARED_COUNT.search(xml[:1000])
                if (declared and int(declared.group(1)) > MAX_SHARED_STRINGS) or xml.count(b"<si") > MAX_SHARED_STRINGS:
                    raise SpreadsheetRefused("文件中的文本条目过多，请删除多余内容或拆分后再导入。")
                continue
            if b"sheetData" not in xml:
                continue
            cells = _sheet_cells(xml)
            if cells is None:
                reader = "openpyxl"
            elif cells > MAX_SHEET_CELLS:
                raise SpreadsheetRefused(
                    f"工作表的单元格范围过大，单个文件最多导入 {limit - 100} 行，请删除多余的行列或拆分后再导入。"
                )
    return reader
