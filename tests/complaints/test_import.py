"""12345 import: messy files, preview reasons, one transaction, re-import, unmatched estates,
bounded queries for 10,000 rows, and the admin through django-import-export. Also: the reader
(calamine, its size guard, the openpyxl fallback), the preview's rows kept for the confirm step,
both write paths (COPY on PostgreSQL, bulk_create elsewhere) and the campaign choice."""

import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign
from complaints import import_views, importer, services
from complaints.models import Channel, Complaint, ComplaintEvent, ComplaintStatus
from core import bulk
from rectification.models import Case, CaseClue, CaseEvent
from tests.conftest import login
from tests.factories import UserFactory

from .factories import HEADERS, complaint, xlsx

# bulk: writes through core.bulk (COPY or bulk_create); CI runs these again with DATABASE_COPY=off
pytestmark = [pytest.mark.django_db, pytest.mark.bulk]

REORDERED = ["小区名称", "备注", "工单编号", "诉求内容", "来电时间", "联系电话", "来电人", "所属区域", "诉求类别", "办理时限", "承办单位"]


def messy_file():
    """Merged title row, reordered and extra columns, blank rows, an unknown estate, a bad date."""
    rows = [
        ["海阳花园", "", "GD001", "电梯停运", datetime(2025, 3, 3, 9, 15), "13800000001", "张一", "海阳镇", "未按照合同约定提供服务", "2025-03-10", "住建局"],
        ["海阳花园", "", "GD002", "电梯还是停运", "2025/03/04 10:00", "13800000002", "张二", "海阳镇", "A1", 5, "住建局"],
        ["城北佳苑", "", "GD003", "公共收益不公示", "2025-03-05 11:00", "0559-7512345", "张三", "海阳镇秀阳社区", "未公示公共收益收支情况", "", ""],
        ["不存在小区", "", "GD004", "垃圾没人清", "2025-03-06 08:00", "13800000004", "张四", "海阳镇", "其他", "", ""],
        ["海阳花园", "", "GD005", "门岗无人", "2025-13-45", "13800000005", "张五", "海阳镇", "A1", "", ""],
    ]
    return xlsx(rows, headers=REORDERED, title="休宁县12345热线工单导出（2025年3月）", blank_rows_after=(0, 2))


def test_a_messy_file_is_previewed_row_by_row_in_chinese(estates, county_user):
    result = importer.preview(messy_file(), user=county_user)
    by_ref = {r.values["reference"]: r for r in result.rows}
    assert [r.status for r in result.rows] == ["new", "new", "new", "new", "error"]
    assert by_ref["GD001"].estate == estates["haiyang_1"] and by_ref["GD001"].category.code == "A1"
    assert by_ref["GD002"].deadline is not None  # 5 working days from the call
    assert by_ref["GD003"].category.code == "B3"
    assert by_ref["GD004"].unmatched and "不存在小区" in by_ref["GD004"].reasons[0]
    assert by_ref["GD004"].category.code == "A1"  # a vague category (其他): the text says 垃圾
    assert "来电时间“2025-13-45”不是有效日期" in by_ref["GD005"].reasons
    assert Complaint.objects.count() == 0  # a preview writes nothing


def test_a_file_with_an_error_row_imports_nothing(estates, county_user):
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_12345(messy_file(), user=county_user)
    assert "本次未导入任何数据" in refused.value.message
    assert Complaint.objects.count() == 0 and Case.objects.count() == 0


def _clean_rows():
    return [
        ["GD101", "2025-03-03 09:00", "甲", "13800000001", "电梯停运", "海阳镇", "海阳花园", "A1", ""],
        ["GD102", "2025-03-03 10:00", "乙", "13800000002", "电梯停运两天", "海阳镇", "海阳花园", "A1", ""],
        ["GD103", "2025-03-03 11:00", "甲", "13800000001", "电梯还是停运", "海阳镇", "海阳花园", "A1", ""],
        ["GD104", "2025-03-04 11:00", "丙", "", "物业收费乱涨", "万安镇", "横江苑", "擅自提高收费标准", ""],
        ["GD105", "2025-03-04 12:00", "丁", "13800000009", "停车难", "海阳镇", "查无此苑", "D", ""],
        ["GD101", "2025-03-03 09:00", "甲", "13800000001", "重复行", "海阳镇", "海阳花园", "A1", ""],
    ]


def test_import_groups_complaints_lists_unmatched_and_reimport_adds_nothing(estates, county_user):
    complaint(estates["haiyang_1"], phone="13800000002", code="A1")  # 乙 already complained online
    data = xlsx(_clean_rows())
    result = importer.import_12345(data, user=county_user)
    assert result.new == 5 and result.duplicates == 1
    imported = Complaint.objects.filter(channel=Channel.HOTLINE_12345)
    assert imported.count() == 5
    case = Case.objects.get(estate=estates["haiyang_1"])
    assert case.clues.count() == 4
    assert case.complainant_count == 2  # 甲 twice and 乙 (online and by phone) are two people
    unmatched = imported.get(reference="GD105")
    assert unmatched.status == ComplaintStatus.PENDING_ESTATE and unmatched.case_id is None
    assert unmatched.region_path == estates["haiyang_1"].community.parent.path  # the row's town
    for c in imported.exclude(pk=unmatched.pk):
        assert c.case_id and c.clue_id and c.clue.case_id == c.case_id
        assert c.clue.source_object_id == str(c.pk)

    again = importer.import_12345(data, user=county_user)
    assert again.new == 0 and again.duplicates == 6
    assert Complaint.objects.count() == 6 and CaseClue.objects.count() == 5


def test_unmatched_rows_are_resolved_by_a_person(client, estates, county_user):
    importer.import_12345(xlsx(_clean_rows()), user=county_user)
    pending = Complaint.objects.get(reference="GD105")
    login(client, county_user)
    listed = client.get("/complaints/", {"status": "pending_estate"})
    assert [c.pk for c in listed.context["page"]] == [pending.pk]
    response = client.post(f"/complaints/{pending.pk}/estate/", {"estate": estates["haiyang_2"].pk})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ComplaintStatus.RECEIVED and pending.case.estate == estates["haiyang_2"]
    assert client.post(f"/complaints/{pending.pk}/estate/", {"estate": "x"}).status_code == 400


def test_header_problems_are_reported_in_chinese(county_user, estates):
    with pytest.raises(importer.ImportRefused) as no_header:
        importer.preview(xlsx([["a", "b"]], headers=["甲", "乙"]), user=county_user)
    assert "没有找到表头" in no_header.value.message
    with pytest.raises(importer.ImportRefused) as missing:
        importer.preview(xlsx([["GD1", "x", "y", "z"]], headers=["工单编号", "诉求内容", "来电人", "联系电话"]),
                         user=county_user)
    assert "来电时间" in missing.value.message and "小区名称" in missing.value.message
    with pytest.raises(importer.ImportRefused) as not_xlsx:
        importer.preview(b"PK\x03\x04 not really a zip", user=county_user)
    assert ".xlsx" in not_xlsx.value.message


def test_the_staff_page_previews_then_imports(client, estates, county_user):
    login(client, county_user)
    upload = SimpleUploadedFile("工单.xlsx", xlsx(_clean_rows()))
    response = client.post("/complaints/import/", {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "新增" in body and "重复" in body and "查无此苑" in body and "确认导入 5 件" in body
    assert Complaint.objects.count() == 0
    confirmed = client.post("/complaints/import/confirm/")
    assert confirmed.status_code == 302
    assert Complaint.objects.count() == 5
    assert client.post("/complaints/import/confirm/").status_code == 302  # the pending file is gone


def test_the_staff_page_refuses_a_renamed_file_and_an_error_file(client, estates, county_user):
    login(client, county_user)
    fake = SimpleUploadedFile("工单.xlsx", b"<script>alert(1)</script>")
    response = client.post("/complaints/import/", {"file": fake})
    assert response.status_code == 400 and "没有找到表头" in response.content.decode()
    response = client.post("/complaints/import/", {"file": SimpleUploadedFile("m.xlsx", messy_file())})
    page = response.content.decode()
    assert response.status_code == 200 and "有 1 行错误" in page and "仅导入有效行" in page
    assert "确认导入" not in page


def test_read_only_users_cannot_import(client, estates, city_user):
    login(client, city_user)
    assert client.get("/complaints/import/").status_code == 403


def test_ten_thousand_rows_import_with_a_bounded_number_of_queries(estates, county_user, django_assert_max_num_queries):
    names = [("海阳镇", "海阳花园"), ("海阳镇", "城北佳苑"), ("万安镇", "横江苑"), ("海阳镇", "未登记小区")]
    codes = ["A1", "A2", "B2", "C1", "D", "F4"]
    rows = []
    for i in range(10_000):
        town, estate = names[i % len(names)]
        rows.append([f"GD{i:06d}", f"2025-0{1 + i % 9}-{1 + i % 28:02d} 09:{i % 60:02d}", f"来电人{i % 300}",
                     f"138{i % 2000:08d}", f"诉求内容{i}", town, estate, codes[i % len(codes)], ""])
    data = xlsx(rows)
    with django_assert_max_num_queries(1200) as captured:
        result = importer.import_12345(data, user=county_user)
    print(f"\n10,000-row import: {len(captured.captured_queries)} queries")
    assert result.new == 10_000
    assert Complaint.objects.count() == 10_000
    assert Complaint.objects.filter(status=ComplaintStatus.PENDING_ESTATE).count() == 2_500
    assert Complaint.objects.filter(case__isnull=True).count() == 2_500
    # 3 estates × 6 categories → at most 18 cases; distinct phones per case (2,000 numbers in all)
    assert Case.objects.count() <= 18
    case = Case.objects.order_by("-complainant_count").first()
    assert case.complainant_count == len(set(
        Complaint.objects.filter(case=case).values_list("phone_hash", flat=True)))


def test_admin_import_uses_the_same_bulk_importer(client, estates, django_user_model):
    from accounts.models import Role

    admin = django_user_model.objects.create_superuser("root", "root@example.com", "Test@2025x", role=Role.SYSADMIN)
    login(client, admin)
    url = "/admin/complaints/complaint/import/"
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("工单.xlsx", xlsx(_clean_rows()))
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "GD105" in body and "待匹配小区" in body and Complaint.objects.count() == 0
    confirm = response.context["confirm_form"]
    done = client.post("/admin/complaints/complaint/process_import/", {**confirm.initial})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert Complaint.objects.filter(channel="12345").count() == 5

    messy = client.post(url, {"import_file": SimpleUploadedFile("m.xlsx", messy_file()), "format": "0", "resource": "0"})
    assert "不是有效日期" in messy.content.decode() and messy.context.get("confirm_form") is None



# --- reading the file -------------------------------------------------------------------------

def _rewrite_sheet(data: bytes, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def test_a_sheet_naming_a_far_cell_is_refused_before_it_is_read(county_user, estates):
    far = _rewrite_sheet(xlsx(_clean_rows()), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.preview(far, user=county_user)
    assert "范围过大" in refused.value.message


def test_a_sheet_the_guard_cannot_vouch_for_is_read_with_openpyxl(county_user, estates):
    commented = _rewrite_sheet(xlsx(_clean_rows()), lambda xml: xml.replace(b"<sheetData>", b"<!-- x --><sheetData>"))
    assert importer.preview(commented, user=county_user).new == 5


def test_a_zip_that_is_not_a_workbook_is_refused(county_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    with pytest.raises(importer.ImportRefused) as refused:
        importer.preview(buffer.getvalue(), user=county_user)
    assert ".xlsx" in refused.value.message


def test_the_row_cap_is_fifty_thousand():
    assert importer.MAX_ROWS == 50_000
    row = ["GD1", "2025-03-03 09:00", "甲", "", "内容", "海阳镇", "海阳花园", "A1", ""]
    assert len(importer.rows_from_cells([HEADERS] + [row] * 50_000)) == 50_000
    with pytest.raises(importer.ImportRefused) as refused:
        importer.rows_from_cells([HEADERS] + [row] * 50_001)
    assert "50000" in refused.value.message


# --- parse once: the preview's rows are kept for the confirm step ------------------------------

def test_kept_rows_round_trip_and_refuse_another_file():
    rows = [(3, {"reference": "GD1", "received_at": datetime(2025, 3, 3, 9, 15), "deadline": 5.0, "name": None,
                 "_skipped": ""}),
            (4, {"reference": "GD2", "received_at": "2025-03-04", "deadline": date(2025, 3, 10), "name": "乙",
                 "_skipped": ""})]
    blob = importer.dump_rows(importer.Preview(rows=[], sha256="abc", raw_rows=rows))
    assert importer.load_rows(blob, sha256="abc") == rows
    assert importer.load_rows(blob, sha256="another file") is None
    assert importer.load_rows(b"{not json", sha256="abc") is None
    assert importer.load_rows(blob.replace(b'"rows":[[3,', b'"rows":[["x",'), sha256="abc") is None


def test_the_staff_page_parses_the_file_once_and_checks_again_on_confirm(client, estates, county_user, monkeypatch):
    reads = []
    read = importer.rows_from_xlsx
    monkeypatch.setattr(importer, "rows_from_xlsx", lambda data: reads.append(1) or read(data))
    login(client, county_user)
    client.post("/complaints/import/", {"file": SimpleUploadedFile("工单.xlsx", xlsx(_clean_rows()))})
    pending = client.session[import_views.SESSION_KEY]
    assert import_views.private_storage.exists(pending["rows_path"])
    # imported by someone else between preview and confirm: the confirm step finds the duplicate
    first = _clean_rows()[0]
    importer.import_12345(xlsx([first]), user=county_user)
    reads.clear()
    assert client.post("/complaints/import/confirm/").status_code == 302
    assert reads == []  # the file was not parsed again
    assert Complaint.objects.filter(channel=Channel.HOTLINE_12345).count() == 5
    assert not import_views.private_storage.exists(pending["rows_path"])
    assert not import_views.private_storage.exists(pending["path"])


def test_the_confirm_step_parses_the_file_when_the_kept_rows_are_unusable(client, estates, county_user):
    login(client, county_user)
    client.post("/complaints/import/", {"file": SimpleUploadedFile("工单.xlsx", xlsx(_clean_rows()))})
    pending = client.session[import_views.SESSION_KEY]
    import_views.private_storage.delete(pending["rows_path"])
    assert client.post("/complaints/import/confirm/").status_code == 302
    assert Complaint.objects.filter(channel=Channel.HOTLINE_12345).count() == 5


# --- both write paths: COPY (PostgreSQL) and bulk_create (SQLite, or COPY switched off) ---------

@pytest.fixture(params=["copy", "portable"])
def write_path(request, monkeypatch):
    if request.param == "copy":
        if connection.vendor != "postgresql":
            pytest.skip("COPY is PostgreSQL's")
        if not django_settings.DATABASE_COPY:
            pytest.skip("DATABASE_COPY=off: only the portable path")
        assert bulk.copy_available()
    else:
        monkeypatch.setattr(bulk, "COPY_ENABLED", False)
        assert not bulk.copy_available()
    return request.param


def test_both_write_paths_write_the_same_rows(estates, county_user, write_path):
    complaint(estates["haiyang_1"], phone="13800000002", code="A1")  # 乙 already complained online
    open_case = Case.objects.get()
    rows = _clean_rows() + [["GD106", "2025-03-05 09:00", "戊", "13800000006", "小区\t积水\n严重 C:\\temp", "万安镇", "横江苑",
                             "擅自提高收费标准", datetime(2025, 3, 20)]]
    result = importer.import_12345(xlsx(rows), user=county_user)
    assert result.new == 6
    imported = Complaint.objects.filter(channel=Channel.HOTLINE_12345)
    assert imported.count() == 6 and len(set(imported.values_list("tracking_code", flat=True))) == 6
    gd101 = imported.get(reference="GD101")
    assert gd101.case_id == open_case.pk and gd101.clue.case_id == open_case.pk
    assert gd101.clue.source_object_id == str(gd101.pk) and gd101.clue.reference == "12345热线 GD101"
    assert services.privacy.phone_decrypt(gd101.phone_encrypted) == "13800000001"
    assert gd101.created_by == county_user and gd101.status == ComplaintStatus.RECEIVED
    open_case.refresh_from_db()
    assert open_case.complainant_count == 2 and open_case.clues.count() == 4
    assert CaseEvent.objects.filter(case=open_case, kind="clue_joined").count() == 3
    gd106 = imported.get(reference="GD106")
    assert gd106.description == "小区\t积水\n严重 C:\\temp" and gd106.deadline == date(2025, 3, 20)
    new_case = gd106.case
    assert new_case.complainant_count == 2 and new_case.state == "pending_verification"  # 丙 anonymous + 戊
    created = CaseEvent.objects.get(case=new_case, kind="created")
    first_clue = CaseClue.objects.filter(case=new_case).order_by("pk").first()
    assert created.data == {"clue_id": first_clue.pk, "source": "complaint", "reference": first_clue.reference,
                            "complainant_count": 1}
    assert first_clue.reference == "12345热线 GD104" and created.label == "登记案件"
    assert created.actor == county_user and new_case.created_by == county_user
    event = ComplaintEvent.objects.get(complaint=gd106)
    assert event.is_public and event.kind == "received" and "GD106" in event.note and event.actor == county_user
    pending = imported.get(reference="GD105")
    assert pending.case_id is None and pending.clue_id is None and pending.status == ComplaintStatus.PENDING_ESTATE


def test_the_copy_path_runs_a_fixed_number_of_queries(estates, county_user, write_path,
                                                      django_assert_max_num_queries):
    if write_path != "copy":
        pytest.skip("bulk_create batches grow with the rows")

    def rows(n, start):
        return [[f"GD{start + i:06d}", "2025-03-03 09:00", "甲", f"138{i:08d}", "电梯停运", "海阳镇",
                 ("海阳花园", "城北佳苑", "查无此苑")[i % 3], ("A1", "A2")[i % 2], ""] for i in range(n)]

    from django.db import transaction

    from core import config_cache

    counts = []
    for n, start in ((30, 0), (3000, 1000)):
        data = xlsx(rows(n, start))
        cache.clear()  # both imports start with the reference-data cache cold (campaigns, rules)
        config_cache.forget_local()
        with transaction.atomic():  # and from the same database: each is rolled back
            with django_assert_max_num_queries(60) as captured:
                importer.import_12345(data, user=county_user)
            transaction.set_rollback(True)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- the campaign of a new case --------------------------------------------------------------

def test_campaigns_are_chosen_as_services_campaign_for_does(tree, estates):
    from campaigns.selectors import campaign_for, campaign_for_path

    def campaign(name, region, start, active=True):
        return Campaign.objects.create(name=name, region=region, start_date=start,
                                       end_date=start + timedelta(days=730), is_active=active)

    county = campaign("县", tree["county"], date(2025, 1, 1))
    campaign("县（较早）", tree["county"], date(2024, 1, 1))
    town = campaign("镇", tree["haiyang"], date(2024, 6, 1))
    campaign("镇（已结束）", tree["haiyang"], date(2025, 6, 1), active=False)
    campaign("别县", tree["district"], date(2025, 6, 1))
    campaign("镇（未开始）", tree["haiyang"], timezone.localdate() + timedelta(days=30))
    # one query at most, then the cache: the rule is the most local campaign that has started, then
    # the latest start
    assert campaign_for_path(estates["haiyang_1"].community.path) == town
    assert campaign_for_path(estates["wanan_1"].community.path) == county
    assert campaign_for(estates["tunxi_1"]).name == "别县"
    # an import gives the new cases the same campaign
    importer.import_12345(xlsx([["GD-C1", "2025-09-01 10:00", "张三", "13800001111", "漏水", "海阳镇", "海阳花园",
                                 "A1", None]]), user=UserFactory(username="c-imp", role="county_group",
                                                                 region=tree["county"]))
    assert Complaint.objects.get(reference="GD-C1").case.campaign == town


def test_tracking_codes_are_distinct_and_use_the_alphabet():
    codes = importer.tracking_codes(5000)
    assert len(set(codes)) == 5000
    assert all(len(code) == 10 and set(code) <= set(services.CODE_ALPHABET) for code in codes)


assert HEADERS[0] == "工单编号"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL 的索引（CI 的第二轮运行）")
def test_a_new_complaint_enters_no_index_it_is_never_looked_up_by():
    """An import writes 50,000 complaints: no LIKE twin of a code or digest column, and the
    satisfaction and rated/replied-by indexes hold only the rows that have one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s)",
                       [Complaint._meta.db_table, CaseEvent._meta.db_table])
        indexes = dict(cursor.fetchall())
    assert [name for name in indexes if name.endswith("_like")] == []
    assert "WHERE (NOT ((satisfaction)::text = ''::text))" in indexes["complaint_rated_satisfaction"]
    assert "WHERE (rated_by_id IS NOT NULL)" in indexes["complaint_rated_by"]
    assert "WHERE (replied_by_id IS NOT NULL)" in indexes["complaint_replied_by"]
    assert not [name for name, sql in indexes.items() if sql.endswith("(case_id)") and "caseevent" in name]
