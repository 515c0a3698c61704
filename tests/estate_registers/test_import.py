from io import BytesIO

from openpyxl import Workbook, load_workbook

from communities.models import Estate
from core import tabular_import as ti
from estate_registers.importers import CONTRACT_IMPORT, LIFT_IMPORT
from estate_registers.models import Lift, RegisterEvent, ReviewStatus, ServiceContract
from tests.conftest import login

LIFT_HEADER = ["序号", "镇/街道", "社区", "小区名称", "使用登记证号", "所在楼栋/单元", "投用年份", "维保单位", "最近维保日期",
               "更新改造", "更新改造申报日期", "资金来源"]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_lifts_import_preview_valid_only_and_reimport(county_user, estates):
    data = xlsx([
        ["休宁县住宅电梯台账"], LIFT_HEADER,
        [1, "海阳镇", "秀阳社区", "海阳花园", "梯A001", "1栋1单元", 2006, "通达电梯", "2025/10/1", "无", None, None],
        [2, "", "", "横江苑", "梯A002", "2栋", "2010", "通达电梯", "2025-09-01", "已申报", "2025-08-01", "维修资金"],
        [3, "", "", "老街府", "梯A003", "3栋", 2010, "通达电梯", None, "无", None, None],  # another county
        [4, "", "", "海阳花园", "梯A004", "4栋", "很早", "通达电梯", None, "已申报", None, None],
    ])
    result = ti.preview(LIFT_IMPORT, data, user=county_user, filename="电梯.xlsx")
    by_line = {r.line: r for r in result.rows}
    assert by_line[3].status == "valid" and by_line[4].status == "valid"
    assert by_line[5].status == "error" and "不在您的服务/管辖范围内" in by_line[5].errors[0]
    assert by_line[6].status == "error" and any("投用年份" in e for e in by_line[6].errors)
    assert Lift.objects.count() == 0  # the preview writes nothing

    ti.import_rows(LIFT_IMPORT, data, user=county_user, valid_only=True)
    assert set(Lift.objects.values_list("registration_number", flat=True)) == {"梯A001", "梯A002"}
    lift = Lift.objects.get(registration_number="梯A002")
    assert lift.status == ReviewStatus.SUBMITTED and lift.funding_source == "maintenance_fund"
    assert RegisterEvent.objects.filter(register="lifts", object_id=lift.pk, kind="created").exists()
    estate = Estate.objects.get(pk=estates["haiyang_1"].pk)
    assert (estate.elevator_count, estate.oldest_elevator_year) == (1, 2006)

    again = ti.preview(LIFT_IMPORT, data, user=county_user)
    assert {r.line: r.note for r in again.rows if r.status == "valid"} == {3: "更新（重新提交审核）", 4: "更新（重新提交审核）"}
    ti.import_rows(LIFT_IMPORT, data, user=county_user, valid_only=True)
    assert Lift.objects.count() == 2


def test_error_rows_file_imports_again_once_corrected(county_user, estates):
    data = xlsx([LIFT_HEADER, [1, "", "", "海阳花园", "梯B1", "1栋", "很早", "通达电梯", None, "无", None, None]])
    result = ti.preview(LIFT_IMPORT, data, user=county_user)
    sheet = load_workbook(BytesIO(ti.error_rows_xlsx(result))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    year = rows[0].index("投用年份")
    rows[1][year] = 2001
    fixed = ti.preview(LIFT_IMPORT, xlsx(rows), user=county_user)
    assert [r.status for r in fixed.rows] == ["valid"]


def test_contracts_import_syncs_the_estate(town_user, estates):
    header = ["小区名称", "物业服务企业", "合同类型", "签订日期", "合同开始日期", "合同结束日期", "服务等级", "物业费标准", "备案号",
              "备案日期"]
    data = xlsx([header,
                 ["海阳花园", "海阳物业公司", "物业服务合同", "2024-12-20", "2025-01-01", "2027-12-31", "二级", "1.35",
                  "XN-2025-3", "2025-01-05"],
                 ["城北佳苑", "无此公司", "", "2025-01-01", "2025-01-01", "2026-12-31", "三级", "1.00", "", ""],
                 ["横江苑", "万安物业公司", "", "2025-01-01", "2025-01-01", "2026-12-31", "三级", "1.00", "", ""]])
    result = ti.preview(CONTRACT_IMPORT, data, user=town_user)
    assert [r.status for r in result.rows] == ["valid", "error", "error"]
    ti.import_rows(CONTRACT_IMPORT, data, user=town_user, valid_only=True)
    contract = ServiceContract.objects.get()
    estate = Estate.objects.get(pk=estates["haiyang_1"].pk)
    assert (estate.contract_filing_number, estate.service_level, str(estate.contract_end)) == ("XN-2025-3", "2", "2027-12-31")
    assert contract.status == ReviewStatus.SUBMITTED


def test_import_pages(client, county_user, city_user, estates):
    login(client, county_user)
    assert client.get("/registers/lifts/import/").status_code == 200
    template = client.get("/registers/lifts/import/template.xlsx")
    assert template.status_code == 200 and "使用登记证号*" in [
        c for row in load_workbook(BytesIO(template.content)).worksheets[0].iter_rows(values_only=True) for c in row]
    login(client, city_user)
    assert client.get("/registers/lifts/import/").status_code == 403
