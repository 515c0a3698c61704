"""The one safe reader (core.spreadsheets): .xlsx through calamine with its size guard and the
openpyxl fallback, .xls, and CSV in the encodings Excel and WPS write."""

import codecs
import io
import zipfile

import pytest
import xlwt

from core import spreadsheets
from tests.complaints.factories import xlsx
from tests.complaints.test_import import _clean_rows, messy_file


def test_calamine_reads_the_files_as_openpyxl_did():
    for data in (messy_file(), xlsx(_clean_rows())):
        assert spreadsheets._check_xlsx(data, limit=50_100) == "calamine"
        assert spreadsheets.read_rows(data) == spreadsheets._rows_with_openpyxl(data, limit=50_100)


def test_the_size_check_counts_cells_not_other_tags():
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet><cols><col min="1" max="3" width="12"/></cols>'
             b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"/></row></sheetData></worksheet>')
    assert spreadsheets._sheet_cells(sheet) == 99_999 * 26
    assert spreadsheets._sheet_cells(sheet.replace(b'r="C1"', b'r="AB200000"')) == 200_000 * 28
    assert spreadsheets._sheet_cells(sheet.replace(b'<c r="C1"/>', b"<c/>")) is None  # a cell placed by counting
    assert spreadsheets._sheet_cells(sheet.replace(b"<cols>", b"<![CDATA[x]]><cols>")) is None





def test_csv_in_gbk_utf8_and_utf8_with_bom_read_the_same():
    text = "工单编号,来电时间,诉求内容\nGD1,2025年6月3日 9时15分,电梯坏了\n"
    expected = [["工单编号", "来电时间", "诉求内容"], ["GD1", "2025年6月3日 9时15分", "电梯坏了"]]
    for data in (text.encode("gbk"), text.encode("gb18030"), text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8")):
        assert spreadsheets.read_rows(data, filename="x.csv") == expected


def test_tab_separated_text_is_read_by_its_delimiter():
    data = "工单编号\t诉求内容\nGD1\t漏水，楼道\n".encode("gbk")
    assert spreadsheets.read_rows(data) == [["工单编号", "诉求内容"], ["GD1", "漏水，楼道"]]


def test_an_xls_file_is_read_with_its_dates():
    import datetime

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("工单")
    for col, text in enumerate(["工单编号", "来电时间", "诉求内容"]):
        sheet.write(0, col, text)
    sheet.write(1, 0, "GD1")
    sheet.write(1, 1, datetime.datetime(2025, 6, 3, 9, 15), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
    sheet.write(1, 2, "电梯坏了")
    buffer = io.BytesIO()
    book.save(buffer)
    rows = spreadsheets.read_rows(buffer.getvalue(), filename="工单.xls")
    assert rows[0] == ["工单编号", "来电时间", "诉求内容"]
    assert rows[1] == ["GD1", datetime.datetime(2025, 6, 3, 9, 15), "电梯坏了"]


def test_an_html_table_named_xls_gets_a_message_saying_what_to_do():
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refused:
        spreadsheets.read_rows(b"<html><table><tr><td>1</td></tr></table></html>", filename="export.xls")
    assert "另存为 .xlsx" in refused.value.message


def test_binary_that_is_no_spreadsheet_is_refused():
    with pytest.raises(spreadsheets.SpreadsheetRefused):
        spreadsheets.read_rows(b"\x00\x01\x02garbage" * 10, filename="x.csv")


def test_too_many_shared_strings_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_SHARED_STRINGS", 3)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([["GD1", "文本"]], headers=["工单编号", "诉求内容"]))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        # what Excel writes, with more texts than the limit (the count is read before any parsing)
        target.writestr("xl/sharedStrings.xml", '<sst count="10" uniqueCount="10">' + "<si><t>x</t></si>" * 10 + "</sst>")
    data = out.getvalue()
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refused:
        spreadsheets.read_rows(data)
    assert "文本条目过多" in refused.value.message
