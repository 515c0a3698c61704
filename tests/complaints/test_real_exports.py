"""12345 exports as the platforms really write them: every date form, .xls, GBK .csv, title and
合计 rows, column synonyms, platform categories mapped (and the chooser remembered), estates
matched through normalised names and aliases, other towns' rows, anonymous callers, error rows
with "import the valid rows", the error-row download and its re-import, and the command."""

import io
import json
from datetime import datetime

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from campaigns.models import ProblemCategory
from communities.models import EstateAlias
from complaints import importer
from complaints.models import Channel, Complaint, HotlineVocabulary
from rectification.models import Case
from tests.conftest import login

from .factories import xlsx

# bulk: writes through core.bulk (COPY or bulk_create); CI runs these again with DATABASE_COPY=off
pytestmark = [pytest.mark.django_db, pytest.mark.bulk]

#: the headings of a platform that writes them its own way
PLATFORM = ["受理编号", "受理时间", "诉求人", "联系方式", "问题描述", "所属镇街", "所在小区", "诉求类型"]


def row(ref, when, text, estate="海阳花园", category="电梯故障", phone="13800000001", name="张先生", town="海阳镇"):
    return [ref, when, name, phone, text, town, estate, category]


def test_every_date_form_of_the_platforms_is_read(estates, county_user):
    forms = [
        datetime(2025, 6, 3, 9, 15),  # an Excel date cell
        45811.385416666664,  # an Excel serial number (the column lost its format)
        "2025/6/3 9:15",
        "2025-06-03 09:15:00",
        "2025年6月3日 9时15分",
        "2025年06月03日09:15",
        "2025年06月14日 22时11分",
        "2025年6月3日 9时15分30秒",
        "2025-06-03",
    ]
    rows = [row(f"D{i}", value, "电梯停运") for i, value in enumerate(forms)]
    result = importer.preview(xlsx(rows, headers=PLATFORM), user=county_user)
    assert [r.status for r in result.rows] == ["new"] * len(forms), [r.reasons for r in result.rows]
    got = {r.values["reference"]: r.received_at for r in result.rows}
    assert got["D0"].strftime("%Y-%m-%d %H:%M") == "2025-06-03 09:15"
    assert got["D1"].strftime("%Y-%m-%d %H:%M") == "2025-06-03 09:15"
    assert got["D6"].strftime("%Y-%m-%d %H:%M") == "2025-06-14 22:11"
    assert got["D7"].second == 30


def test_title_notes_and_footer_rows_are_skipped_not_errors(estates, county_user):
    rows = [row("F1", "2025年06月14日 22时11分", "电梯停运"), row("F2", "2025/6/15 8:00", "电梯困人", phone="13800000002"),
            ["合计", "", "", "", "共 2 件", "", "", ""], ["", "", "", "", "", "", "", ""],
            ["制表人：王五", "", "", "", "", "", "", ""], ["注：本表由 12345 平台导出", None, None, None, None, None, None, None]]
    result = importer.preview(xlsx(rows, headers=PLATFORM, title="休宁县12345热线工单（2025年6月）"), user=county_user)
    assert result.new == 2 and result.errors == 0 and result.skipped == 3
    assert result.counts()["skipped_footer"] == 3
    imported = importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user)
    assert imported.imported == 2 and Complaint.objects.count() == 2


def test_an_xls_export_imports(estates, county_user):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, "12345热线工单明细")
    for col, text in enumerate(PLATFORM):
        sheet.write(2, col, text)
    values = row("X1", "2025年6月3日 9时15分", "电梯停运", category="电梯故障")
    for col, value in enumerate(values):
        sheet.write(3, col, value)
    sheet.write(4, 0, "合计")
    sheet.write(4, 4, "共 1 件")
    buffer = io.BytesIO()
    book.save(buffer)
    result = importer.import_12345(buffer.getvalue(), user=county_user, filename="工单.xls")
    assert result.imported == 1 and result.skipped == 1
    assert Complaint.objects.get().category.code == "C1"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_a_csv_export_in_gbk_or_utf8_imports(estates, county_user, encoding):
    lines = [",".join(PLATFORM), ",".join(row("C1", "2025/6/3 9:15", "电梯停运，无人维修")).replace("电梯停运，无人维修", '"电梯停运，无人维修"'),
             ",".join(row("C2", "2025年06月03日09:15", "消防通道被堵", category="消防通道", phone="139 0000 0002")),
             "合计,,,,共 2 件,,,"]
    data = "\r\n".join(lines).encode(encoding)
    result = importer.import_12345(data, user=county_user, filename="工单.csv")
    assert result.imported == 2 and result.skipped == 1
    by_ref = {c.reference: c for c in Complaint.objects.all()}
    assert by_ref["C1"].description == "电梯停运，无人维修" and by_ref["C2"].category.code == "A3"


def test_platform_categories_are_mapped_and_kept_visible(estates, county_user, client):
    rows = [row("M1", "2025/6/3 9:15", "电梯停运", category="电梯故障"),
            row("M2", "2025/6/3 9:16", "消防通道堆物", category="消防通道", phone="13800000002"),
            row("M3", "2025/6/3 9:17", "车位被占", category="停车管理", phone="13800000003"),
            row("M4", "2025/6/3 9:18", "物业费上涨", category="物业收费", phone="13800000004"),
            row("M5", "2025/6/3 9:19", "公共收益去向不明", category="公共收益", phone="13800000005"),
            row("M6", "2025/6/3 9:20", "维修资金被挪用", category="维修资金", phone="13800000006"),
            row("M7", "2025/6/3 9:21", "楼道垃圾成堆没人清", category="物业管理", phone="13800000007")]
    result = importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user)
    codes = {c.reference: c.category.code for c in Complaint.objects.all()}
    assert codes == {"M1": "C1", "M2": "A3", "M3": "D", "M4": "F3", "M5": "B4", "M6": "E", "M7": "A1"}
    # seven different problems of one estate are seven cases, not one
    assert result.imported == 7 and Case.objects.count() == 7
    complaint = Complaint.objects.get(reference="M4")
    assert complaint.raw_category == "物业收费"
    login(client, county_user)
    assert "物业收费" in client.get(f"/complaints/{complaint.pk}/").content.decode()


def test_a_lift_and_a_parking_complaint_of_one_estate_open_two_cases(estates, county_user):
    rows = [row("L1", "2025/6/3 9:15", "电梯停运", category="电梯故障"),
            row("L2", "2025/6/3 9:16", "电梯又停了", category="电梯故障", phone="13800000002"),
            row("P1", "2025/6/3 9:17", "车位被占", category="停车管理", phone="13800000003")]
    importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user)
    lift, parking = (Complaint.objects.get(reference=r).case for r in ("L1", "P1"))
    assert lift != parking and Complaint.objects.get(reference="L2").case == lift
    assert lift.complainant_count == 2 and parking.complainant_count == 1


def test_an_unmapped_category_waits_for_the_chooser_which_is_remembered(estates, county_user):
    rows = [row("U1", "2025/6/3 9:15", "小区里有人遛狗不牵绳", category="文明养犬"),
            row("U2", "2025/6/3 9:16", "电梯停运", category="电梯故障", phone="13800000002")]
    preview = importer.preview(xlsx(rows, headers=PLATFORM), user=county_user)
    assert preview.category_unmapped == 1 and preview.new == 1
    assert [e["raw"] for e in preview.unmapped_categories()] == ["文明养犬"]
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user)
    assert "尚未对应整治内容" in refused.value.message and Complaint.objects.count() == 0
    f6 = ProblemCategory.objects.get(code="F6")
    result = importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user, category_choices={"文明养犬": f6})
    assert result.imported == 2 and Complaint.objects.get(reference="U1").category == f6
    rule = HotlineVocabulary.objects.get(kind="category", text="文明养犬")
    assert rule.region == county_user.region and rule.category == f6
    next_month = [row("U3", "2025/7/3 9:15", "又有人遛狗不牵绳", category="文明 养犬", phone="13800000009")]
    assert importer.preview(xlsx(next_month, headers=PLATFORM), user=county_user).category_unmapped == 0


def test_the_staff_page_checks_the_rows_once_and_twice_only_for_the_chooser(client, estates, county_user, monkeypatch):
    """The confirm step checks every row inside import_12345; the chooser's answers need the
    unmapped categories of one more check, and only they do."""
    calls = []
    check = importer.preview
    monkeypatch.setattr(importer, "preview", lambda *args, **kwargs: calls.append(1) or check(*args, **kwargs))
    login(client, county_user)
    plain = [row("V1", "2025/6/3 9:15", "电梯停运"), row("V2", "2025/6/3 9:16", "电梯又停了", phone="13800000002")]
    client.post("/complaints/import/", {"file": SimpleUploadedFile("工单.xlsx", xlsx(plain, headers=PLATFORM))})
    calls.clear()
    assert client.post("/complaints/import/confirm/").status_code == 302
    assert calls == [1] and Complaint.objects.filter(reference__in=["V1", "V2"]).count() == 2

    unmapped = [row("U1", "2025/6/3 9:15", "小区里有人遛狗不牵绳", category="文明养犬", phone="13800000003")]
    response = client.post("/complaints/import/", {"file": SimpleUploadedFile("工单.xlsx", xlsx(unmapped, headers=PLATFORM))})
    [entry] = response.context["unmapped"]
    f6 = ProblemCategory.objects.get(code="F6")
    calls.clear()
    assert client.post("/complaints/import/confirm/", {entry["key"]: str(f6.pk)}).status_code == 302
    assert len(calls) == 2 and Complaint.objects.get(reference="U1").category == f6


def test_estates_are_matched_like_a_person_would(estates, county_user):
    rows = [row("E1", "2025/6/3 9:15", "电梯停运", estate="海阳花园小区"),
            row("E2", "2025/6/3 9:16", "电梯停运", estate="海阳花园 3栋2单元", phone="13800000002"),
            row("E3", "2025/6/3 9:17", "电梯停运", estate="海阳花园（3号楼）", phone="13800000003"),
            row("E4", "2025/6/3 9:18", "电梯停运", estate="ＨＹ海阳花园".replace("ＨＹ", ""), phone="13800000004"),
            row("E5", "2025/6/3 9:19", "电梯停运", estate="城北佳苑１栋", phone="13800000005")]
    result = importer.preview(xlsx(rows, headers=PLATFORM), user=county_user)
    matched = {r.values["reference"]: r.estate for r in result.rows}
    assert matched == {"E1": estates["haiyang_1"], "E2": estates["haiyang_1"], "E3": estates["haiyang_1"],
                       "E4": estates["haiyang_1"], "E5": estates["haiyang_2"]}


def test_a_resolved_name_becomes_an_alias_and_next_month_matches(client, estates, county_user):
    rows = [row("A1", "2025/6/3 9:15", "电梯停运", estate="海阳嘉园")]
    importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user)
    pending = Complaint.objects.get(reference="A1")
    assert pending.status == "pending_estate"
    login(client, county_user)
    assert client.post(f"/complaints/{pending.pk}/estate/", {"estate": estates["haiyang_1"].pk}).status_code == 302
    assert EstateAlias.objects.filter(estate=estates["haiyang_1"], name="海阳嘉园").exists()
    later = importer.preview(xlsx([row("A2", "2025/7/3 9:15", "电梯又坏了", estate="海阳嘉园", phone="13800000002")],
                                  headers=PLATFORM), user=county_user)
    assert later.rows[0].estate == estates["haiyang_1"] and not later.unmatched


def test_a_community_officer_is_told_other_towns_rows_are_not_theirs(estates, community_user):
    rows = [row("S1", "2025/6/3 9:15", "电梯停运"),  # 海阳花园 is in the officer's 秀阳社区
            row("S2", "2025/6/3 9:16", "电梯停运", estate="横江苑", town="万安镇", phone="13800000002"),
            row("S3", "2025/6/3 9:17", "电梯停运", estate="不存在的小区", town="万安镇", phone="13800000003")]
    result = importer.preview(xlsx(rows, headers=PLATFORM), user=community_user)
    by_ref = {r.values["reference"]: r for r in result.rows}
    assert by_ref["S1"].status == "new" and by_ref["S1"].estate == estates["haiyang_1"]
    assert by_ref["S2"].status == "out_of_scope" and "不在本辖区" in by_ref["S2"].reasons[0]
    assert "未找到" not in by_ref["S2"].reasons[0]
    assert by_ref["S3"].status == "out_of_scope" and "万安镇" in by_ref["S3"].reasons[0]
    imported = importer.import_12345(xlsx(rows, headers=PLATFORM), user=community_user)
    assert imported.imported == 1 and imported.out_of_scope == 2
    assert list(Complaint.objects.values_list("reference", flat=True)) == ["S1"]


@pytest.mark.parametrize("name,phone", [("匿名", "13800000001"), ("无", ""), ("", "13800000001"), ("李四", "")])
def test_anonymous_callers(estates, county_user, name, phone):
    importer.import_12345(xlsx([row("N1", "2025/6/3 9:15", "电梯停运", name=name, phone=phone)], headers=PLATFORM),
                          user=county_user)
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous
    assert complaint.complainant_name in ("", "李四") and complaint.complainant_name != "匿名"


def test_error_rows_do_not_block_the_valid_ones_and_come_back_to_be_fixed(client, estates, county_user):
    rows = [row("V1", "2025/6/3 9:15", "电梯停运"),
            row("V2", "2025-13-45", "电梯停运", phone="13800000002"),
            row("V3", "2025/6/3 9:17", "", phone="13800000003"),
            row("V4", "2025/6/3 9:18", "车位被占", category="停车管理", phone="13800000004")]
    login(client, county_user)
    page = client.post("/complaints/import/", {"file": SimpleUploadedFile("六月.xlsx", xlsx(rows, headers=PLATFORM))})
    assert page.status_code == 200 and "仅导入有效行" in page.content.decode()
    download = client.get("/complaints/import/errors.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][-1] == "错误原因" and [r[1] for r in table[1:]] == ["V2", "V3"]
    assert "不是有效日期" in table[1][-1] and "诉求内容为空" in table[2][-1]
    response = client.post("/complaints/import/confirm/", {"valid_only": "1"})
    assert response.status_code == 302
    assert set(Complaint.objects.values_list("reference", flat=True)) == {"V1", "V4"}
    # the downloaded file, fixed, imports the two rows (and nothing twice)
    fixed = load_workbook(io.BytesIO(client.get("/complaints/import/errors.xlsx").content))
    ws = fixed.active
    ws.cell(row=2, column=3).value = "2025/6/4 10:00"
    ws.cell(row=3, column=6).value = "电梯还是不能用"
    buffer = io.BytesIO()
    fixed.save(buffer)
    again = importer.import_12345(buffer.getvalue(), user=county_user)
    assert again.imported == 2 and again.errors == 0
    assert Complaint.objects.count() == 4
    assert importer.import_12345(xlsx(rows, headers=PLATFORM), user=county_user, valid_only=True).imported == 0


def test_the_command_imports_like_the_page_and_prints_json(estates, county_user, tmp_path, capsys):
    path = tmp_path / "12345.xlsx"
    path.write_bytes(xlsx([row("J1", "2025/6/3 9:15", "电梯停运"), row("J2", "bad", "电梯停运", phone="13800000002"),
                           ["合计", "", "", "", "共 2 件", "", "", ""]], headers=PLATFORM))
    call_command("import_12345", str(path), "--user", county_user.username, "--dry-run", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert preview["new"] == 1 and preview["error"] == 1 and preview["skipped_footer"] == 1 and preview["imported"] == 0
    assert Complaint.objects.count() == 0
    with pytest.raises(SystemExit) as refused:
        call_command("import_12345", str(path), "--user", county_user.username, "--json")
    assert refused.value.code == 1 and json.loads(capsys.readouterr().out)["ok"] is False
    call_command("import_12345", str(path), "--user", county_user.username, "--valid-only", "--json")
    done = json.loads(capsys.readouterr().out)
    assert done["imported"] == 1 and done["category_unmapped"] == 0 and Complaint.objects.count() == 1
    with pytest.raises(SystemExit):  # nothing left to import
        call_command("import_12345", str(path), "--user", county_user.username, "--valid-only", "--json")


def test_the_command_uses_the_users_scope(estates, community_user, tmp_path, capsys):
    path = tmp_path / "12345.csv"
    path.write_bytes(("\n".join([",".join(PLATFORM), ",".join(row("K1", "2025/6/3 9:15", "电梯停运", estate="横江苑",
                                                                  town="万安镇"))])).encode("gbk"))
    with pytest.raises(SystemExit):
        call_command("import_12345", str(path), "--user", community_user.username, "--json")
    assert json.loads(capsys.readouterr().out)["out_of_scope"] == 1
    assert not Complaint.objects.filter(channel=Channel.HOTLINE_12345).exists()
