from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from zipfile import ZipFile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core import xlsx
from core.xlsx import workbook_bytes


def test_text_that_looks_like_a_formula_stays_text():
    rows = [["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2", "@SUM(A1)", "正常文本", 42]]
    content = workbook_bytes([("台账", ["a", "b", "c", "d", "e", "f"], rows)])
    sheet = load_workbook(BytesIO(content)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=False))[0]
    assert [c.data_type for c in cells[:5]] == ["s"] * 5
    assert cells[0].value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert cells[5].value == 42
    assert sheet.cell(row=1, column=1).font.b


def test_sheet_titles_are_truncated_to_excel_limit():
    content = workbook_bytes([("很长的工作表名称" * 5, ["a"], [])])
    assert len(load_workbook(BytesIO(content)).sheetnames[0]) == 31


# Rows as openpyxl writes them cell by cell: what write_sheet's own row writer must reproduce.
TRICKY_ROWS = [
    [1, "海阳镇", " 前后有空格 ", "=SUM(A1:A9)", "+1", "-2", "@x", "#N/A", "", None, True, False],
    ["a&b<c>d\"e'f", "回车\r换行\n制表\t", "😀 emoji", "\x7f\x80\x85", "x" * 40000, "\t开头", "末尾\n"],
    [0, -3, 10**17, 2**53 + 1, 1.5, -0.1, 1e-7, float("nan"), float("inf"), Decimal("12.30"), Decimal("-0.005")],
    [date(2026, 11, 3), datetime(2026, 11, 5, 10, 3, 7, 123456), date(1900, 1, 1), datetime(1899, 12, 31, 23, 59)],
    [datetime(2026, 11, 5, 2, 3, tzinfo=UTC), "2026-11-05", None, date(2026, 12, 1)],
    [],
    [None, None, "后面空", None],
    [object(), ["列表"], {"字典": 1}, Decimal("1E+3")],
]


def _sheet_parts(content: bytes) -> dict[str, bytes]:
    with ZipFile(BytesIO(content)) as archive:
        # docProps/core.xml holds the creation time
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def _openpyxl_write_sheet(workbook, title, headers, rows, *, header_rows=(), freeze=None, widths=None):
    sheet = workbook.create_sheet(title=title[:31])
    if widths:
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    for header_row in [*header_rows, headers]:
        header_cells = []
        for header in header_row:
            cell = xlsx._cell(sheet, header)
            if not hasattr(cell, "font"):
                cell = WriteOnlyCell(sheet, value=cell)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
    for row in rows:
        sheet.append([xlsx._cell(sheet, v) for v in row])


def _book(write, sheets) -> bytes:
    workbook = Workbook(write_only=True)
    for title, headers, rows, kwargs in sheets:
        write(workbook, title, headers, rows, **kwargs)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_rows_are_written_byte_for_byte_as_openpyxl_writes_them():
    sheets = [
        ("台账", ["序号", "名称", 2026, date(2026, 1, 1)], TRICKY_ROWS, {"freeze": "A2", "widths": [6, 30]}),
        ("统计", ["镇", "合计"], [["海阳镇", 3], ["合计", 3]], {"header_rows": [["", "总体情况"]], "freeze": "C3"}),
        ("空表", [], [], {}),
        ("只有日期", ["日期"], [[date(2026, 1, d)] for d in range(1, 29)] + [[datetime(2026, 1, 1, 8)]], {}),
    ]
    ours = _sheet_parts(_book(xlsx.write_sheet, sheets))
    theirs = _sheet_parts(_book(_openpyxl_write_sheet, sheets))
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


def _failure(write, text):
    workbook = Workbook(write_only=True)
    try:
        write(workbook, "台账", ["a"], [["好"], [text]])
    except (ValueError, UnicodeEncodeError) as error:
        return error
    finally:  # as reporting.workbook discards a failed build: close, then remove the file
        for sheet in workbook.worksheets:
            sheet.close()
            sheet._writer.cleanup()
    raise AssertionError("no error")


@pytest.mark.parametrize("text", ["控制字符\x01", "\ufffe", "代理\ud800"])
def test_text_xml_cannot_hold_fails_as_openpyxl_fails(text):
    ours, theirs = _failure(xlsx.write_sheet, text), _failure(_openpyxl_write_sheet, text)
    assert type(ours) is type(theirs) and str(ours) == str(theirs)
