"""Estates and enterprises from Excel (enterprises.registers on core.tabular_import): a WPS-style
file with a title row, a GBK CSV, an error row whose error file imports again once corrected,
upsert by the natural key, and the county's scope."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from communities.models import Estate, ManagementType, OwnersBodyStatus
from core import tabular_import as ti
from enterprises.models import Enterprise
from enterprises.registers import ENTERPRISE_IMPORT, ESTATE_IMPORT
from tests.conftest import login
from tests.factories import valid_credit_code

HEADER = ["序号", "镇/街道", "社区", "小区名称", "物业服务企业", "管理方式", "总户数", "建筑面积（㎡）", "电梯（部）",
          "业委会成立情况", "合同开始日期", "合同到期日期"]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wps_register(*rows) -> bytes:
    """A county's register as WPS saves it: a title row above the header."""
    return xlsx([["休宁县住宅小区基本情况统计表"], HEADER, *rows])


@pytest.mark.django_db
class TestEstateImport:
    def test_new_and_updated_estates_with_an_error_row(self, county_user, estates):
        data = wps_register(
            [1, "海阳镇", "秀阳社区", "新安小区", "海阳物业公司", "物业企业", "1,200户", "45000.5", 4, "已成立",
             "2025/1/1", "2027年12月31日"],
            [2, "海阳", "城北", "海阳花园", "海阳物业公司", "物业服务企业管理", 300, None, 0, "未成立", None, None],
            [3, "昱中街道", "老街社区", "外县小区", "屯溪物业公司", "物业企业", 10, None, 0, "未成立", None, None],
            [4, "海阳镇", "秀阳社区", "坏日期小区", "无此公司", "物业企业", "很多", None, 0, "未成立", "2025-02-30", None],
        )
        result = ti.preview(ESTATE_IMPORT, data, user=county_user, filename="名册.xlsx")
        by_line = {r.line: r for r in result.rows}
        assert by_line[3].status_label == "新增" and by_line[4].status_label == "新增"
        assert by_line[5].status == "error" and by_line[5].errors[0].startswith("不在本辖区")
        assert by_line[6].status == "error"
        assert any("户数" in e for e in by_line[6].errors) and any("合同开始日期" in e for e in by_line[6].errors)

        ti.import_rows(ESTATE_IMPORT, data, user=county_user, valid_only=True)
        new = Estate.objects.get(name="新安小区")
        assert new.community.name == "秀阳社区" and new.enterprise.name == "海阳物业公司"
        assert (new.households, new.floor_area, new.elevator_count) == (1200, Decimal("45000.50"), 4)
        assert new.owners_body_status == OwnersBodyStatus.COMMITTEE and new.management_type == ManagementType.ENTERPRISE
        assert str(new.contract_end) == "2027-12-31"
        assert not Estate.objects.filter(name__in=["外县小区", "坏日期小区"]).exists()

        # the same file again: the valid rows are updates, nothing is duplicated
        again = ti.preview(ESTATE_IMPORT, data, user=county_user)
        assert {r.line: r.status_label for r in again.rows if r.status == "valid"} == {3: "更新", 4: "更新"}

    def test_a_town_in_another_county_is_not_in_scope(self, county_user, estates):
        data = wps_register([1, "昱中街道", "老街社区", "老街府二期", None, None, 10, None, 0, None, None, None])
        row = ti.preview(ESTATE_IMPORT, data, user=county_user).rows[0]
        assert row.errors == ["不在本辖区：“昱中街道老街社区”属于屯溪区"]

    def test_gbk_csv_with_the_enterprise_by_credit_code(self, county_user, estates):
        code = estates["haiyang_1"].enterprise.credit_code
        data = f"社区,小区名称,统一社会信用代码,户数\n城北社区,北门小区,{code},88\n".encode("gbk")
        ti.import_rows(ESTATE_IMPORT, data, user=county_user, filename="名册.csv")
        estate = Estate.objects.get(name="北门小区")
        assert estate.enterprise == estates["haiyang_1"].enterprise and estate.households == 88

    def test_pages_error_file_reimports_once_corrected(self, client, county_user, estates):
        login(client, county_user)
        data = wps_register(
            [1, "海阳镇", "秀阳社区", "甲小区", "海阳物业公司", "物业企业", 100, None, 0, "未成立", None, None],
            [2, "海阳镇", "秀阳社区", "乙小区", "海阳物业公司", "物业企业", "很多", None, 0, "未成立", None, None],
        )
        upload = BytesIO(data)
        upload.name = "名册.xlsx"
        page = client.post("/enterprises/estates/import/", {"file": upload})
        assert page.status_code == 200
        body = page.content.decode()
        assert "仅导入有效行" in body and "户数：应为数字" in body
        response = client.post("/enterprises/estates/import/confirm/", {"valid_only": "1"})
        assert response.status_code == 302
        assert Estate.objects.filter(name="甲小区").exists() and not Estate.objects.filter(name="乙小区").exists()

        errors = client.get("/enterprises/estates/import/errors.xlsx")
        assert errors.status_code == 200
        sheet = load_workbook(BytesIO(errors.content)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
        assert rows[1][0] == 4 and "户数" in rows[1][-1]
        rows[1][rows[0].index("户数")] = 120  # corrected in Excel, imported as it is
        fixed = BytesIO(xlsx(rows))
        fixed.name = "待修正.xlsx"
        assert "确认导入 1 行" in client.post("/enterprises/estates/import/", {"file": fixed}).content.decode()
        client.post("/enterprises/estates/import/confirm/")
        assert Estate.objects.get(name="乙小区").households == 120

    def test_template_download_and_who_may_import(self, client, county_user, town_user, estates):
        response = login(client, county_user).get("/enterprises/estates/import/template.xlsx")
        assert response.status_code == 200
        headers = [c.value for c in load_workbook(BytesIO(response.content)).worksheets[0][1]]
        assert headers[:3] == ["镇/街道", "社区/村*", "小区名称*"]
        assert "从 Excel 导入" in client.get("/communities/estates/").content.decode()
        assert login(client, town_user).get("/enterprises/estates/import/").status_code == 403
        assert "从 Excel 导入" not in client.get("/communities/estates/").content.decode()

    def test_queries_do_not_grow_with_rows(self, county_user, estates, django_assert_max_num_queries):
        rows = [[n, "海阳镇", "秀阳社区", f"小区{n}", "海阳物业公司", "物业企业", 10, None, 0, "未成立", None, None]
                for n in range(60)]
        data = wps_register(*rows)
        with django_assert_max_num_queries(20):
            ti.import_rows(ESTATE_IMPORT, data, user=county_user)
        assert Estate.objects.filter(name__startswith="小区").count() == 60


@pytest.mark.django_db
class TestEnterpriseImport:
    def test_credit_code_checked_and_upsert(self, county_user, estates):
        existing = estates["haiyang_1"].enterprise
        data = xlsx([
            ["企业名称", "统一社会信用代码", "法定代表人", "联系电话"],
            ["新物业公司", valid_credit_code(900), "王五", "13800138000"],
            ["坏代码物业", "914403001922038217", "赵六", None],
            ["海阳物业（更名）", existing.credit_code, None, "0559-1234567"],
            ["屯溪物业", estates["tunxi_1"].enterprise.credit_code, "钱七", None],
        ])
        result = ti.preview(ENTERPRISE_IMPORT, data, user=county_user)
        by_line = {r.line: r for r in result.rows}
        assert "校验位错误" in by_line[3].errors[0]
        assert by_line[5].errors[0].startswith("不在本辖区")
        ti.import_rows(ENTERPRISE_IMPORT, data, user=county_user, valid_only=True)
        new = Enterprise.objects.get(credit_code=valid_credit_code(900))
        assert new.registered_region == county_user.region and new.legal_representative == "王五"
        existing.refresh_from_db()
        assert existing.name == "海阳物业（更名）" and existing.contact_phone == "0559-1234567"
        assert existing.legal_representative == "张三"  # a blank cell of an update keeps what was there
