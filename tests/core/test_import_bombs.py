"""Spreadsheet bombs posted to every import page of the product (12345 工单, 公共收益收支明细,
排查台账): each must be refused with a Chinese 400 within 2 seconds of CPU, before the sheet is read."""

import io
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import Role
from tests.conftest import login
from tests.factories import UserFactory
from tests.inspections.factories import make_round

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(fill) -> bytes:
    book = Workbook()
    fill(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, changes: dict) -> bytes:
    """The workbook with members replaced (bytes), edited (a function of the old bytes) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names + [n for n in changes if n not in names]:
            content = source.read(name) if name in names else b""
            change = changes.get(name, content)
            target.writestr(name, change(content) if callable(change) else change)
    return out.getvalue()


def far_cell() -> bytes:
    """One cell at XFD1048576: a couple of kilobytes naming 17 billion cells."""

    def fill(sheet):
        sheet["A1"] = "日期"
        sheet["XFD1048576"] = 1

    return _workbook(fill)


def many_shared_strings(count: int = 3_000_000) -> bytes:
    """A sheet of one string cell and a shared-strings table of millions of empty strings."""
    data = _workbook(lambda sheet: sheet.append(["日期"]))
    table = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        + f' count="{count}" uniqueCount="{count}">'.encode() + "<si><t>日期</t></si>".encode()
        + b"<si><t/></si>" * (count - 1) + b"</sst>"
    )
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    return _rewrite(data, {
        "xl/sharedStrings.xml": table,
        "xl/worksheets/sheet1.xml": lambda xml: re.sub(rb't="inlineStr"><is><t>[^<]*</t></is>', b't="s"><v>0</v>', xml),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
            b"</Relationships>", f'<Relationship Type="{main}" Target="sharedStrings.xml" Id="rId9" /></Relationships>'.encode()),
        "[Content_Types].xml": lambda xml: xml.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}" /></Types>'.encode()),
    })


def blank_rows(unpacked: int = 50 * 1024 * 1024) -> bytes:
    """A sheet of formatted but empty rows, 50 MB once unpacked."""
    data = _workbook(lambda sheet: sheet.append(["日期"]))
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>")
    head = re.sub(rb"<dimension [^>]*/>", b"", head)
    row = b'<row r="%d" spans="1:9" s="1" customFormat="1" ht="15" customHeight="1" thickBot="1"/>'
    rows, size, number = [], 0, 2
    while size < unpacked:
        line = row % number
        rows.append(line)
        size += len(line)
        number += 1
    return _rewrite(data, {"xl/worksheets/sheet1.xml": head + b"".join(rows) + b"</sheetData>" + tail})


BOMBS = {"far_cell": far_cell, "many_shared_strings": many_shared_strings, "blank_rows": blank_rows}


@pytest.fixture
def import_pages(tree, estates, county_user):
    """(page, user allowed to import there)."""
    enterprise_user = UserFactory(username="enterprise-bomb", role=Role.ENTERPRISE,
                                  enterprise=estates["haiyang_1"].enterprise)
    round = make_round(county_user, tree["haiyang"])
    return {
        "12345": ("/complaints/import/", county_user),
        "public_revenue": (f"/revenue/estates/{estates['haiyang_1'].pk}/import/", enterprise_user),
        "inspections": (f"/inspections/rounds/{round.pk}/import/", county_user),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", list(BOMBS))
@pytest.mark.parametrize("page", ["12345", "public_revenue", "inspections"])
def test_a_spreadsheet_bomb_is_refused_quickly(client, import_pages, page, bomb):
    url, user = import_pages[page]
    upload = SimpleUploadedFile("台账.xlsx", BOMBS[bomb](), content_type=XLSX)
    login(client, user)
    # CPU time of this process, not wall time: the bound is on the work a bomb costs, and must not
    # fail because other jobs share the machine's cores
    started = time.process_time()
    response = client.post(url, {"file": upload})
    elapsed = time.process_time() - started
    assert response.status_code == 400, response.status_code
    assert re.search("范围过大|条目过多|解压后过大", response.content.decode())
    assert elapsed < 2, f"{elapsed:.1f} s"
