from io import BytesIO

from openpyxl import load_workbook

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
