"""core.tabular_import: the generic register import (parsers, header finding, preview, valid
rows only, error rows that import again, template)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from core import tabular_import as ti
from core.errors import ImportRefused, InvalidInput
from tests.factories import UserFactory

SAVED = []


def _validate(row, *, context, user):
    if row.values["name"] in context["existing"]:
        row.note = "更新"
    else:
        row.note = "新增"
    if row.values["name"] == "禁止":
        raise InvalidInput("不在本辖区")


def _save(rows, *, user, context):
    SAVED.extend(r.values for r in rows)
    return len(rows)


SCHEMA = ti.RowSchema(
    key="tests.things", title="测试名册", capability="data.write",
    columns=[
        ti.Column("name", "名称", ti.text(max_length=10), required=True, synonyms=("项目名称",)),
        ti.Column("households", "户数", ti.integer()),
        ti.Column("area", "建筑面积（平方米）", ti.decimal()),
        ti.Column("start", "开始日期", ti.date_value()),
        ti.Column("party", "已建党组织", ti.boolean()),
    ],
    prepare=lambda rows, *, user: {"existing": {"旧项目"}},
    validate=_validate, save_rows=_save, natural_key=lambda values: values["name"],
)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def user(db):
    SAVED.clear()
    return UserFactory(role="county_group")


class TestParsers:
    def test_numbers_with_units_and_separators(self):
        assert ti.integer()("1,234户") == 1234
        assert ti.integer()(320.0) == 320
        assert ti.decimal()("12,345.6㎡") == Decimal("12345.60")
        with pytest.raises(InvalidInput):
            ti.integer()("三百")
        with pytest.raises(InvalidInput):
            ti.integer()(-1)

    @pytest.mark.parametrize("value", ["2025-06-03", "2025/6/3", "2025.6.3", "2025年6月3日", "20250603", 45811])
    def test_dates_in_every_form(self, value):
        assert ti.date_value()(value) == date(2025, 6, 3)

    def test_bad_date_says_so_in_chinese(self):
        with pytest.raises(InvalidInput, match="应为日期"):
            ti.date_value()("下个月")

    def test_choice_by_label_value_or_synonym(self):
        parse = ti.choice([("a", "物业服务企业管理"), ("b", "业主自治")], synonyms={"物业": "a"})
        assert parse("物业服务企业管理") == "a"
        assert parse("物业") == "a"
        assert parse(" b ") == "b"
        with pytest.raises(InvalidInput, match="应为以下之一"):
            parse("其他")


@pytest.mark.django_db
class TestPreviewAndImport:
    def test_title_row_is_skipped_and_headings_match_loosely(self, user):
        data = xlsx([["某县测试名册（2026年）"], ["序号", "项目名称*", "户数", "建筑面积", "开始日期", "已建党组织"],
                     [1, "新项目", "300户", "1,000.5", "2025/1/2", "是"], [2, "旧项目", 10, None, None, "否"],
                     ["注：本表由社区填报"], [None, None, "很多"]])
        result = ti.preview(SCHEMA, data, user=user, filename="x.xlsx")
        assert [(r.line, r.status) for r in result.rows] == [(3, "valid"), (4, "valid"), (5, "skipped"), (6, "error")]
        assert result.rows[0].values == {"name": "新项目", "households": 300, "area": Decimal("1000.50"),
                                         "start": date(2025, 1, 2), "party": True}
        assert [r.status_label for r in result.rows[:2]] == ["新增", "更新"]

    def test_gbk_csv(self, user):
        data = "名称,户数\n甲小区,12\n".encode("gbk")
        result = ti.preview(SCHEMA, data, user=user, filename="x.csv")
        assert result.rows[0].values["name"] == "甲小区"

    def test_missing_required_column_is_refused_with_its_name(self, user):
        with pytest.raises(ImportRefused, match="表头缺少必需的列：名称"):
            ti.preview(SCHEMA, xlsx([["户数", "开始日期"], [1, "2025-01-01"]]), user=user)

    def test_errors_per_row_and_duplicates(self, user):
        data = xlsx([["名称", "户数", "开始日期"], ["甲", "很多", "2025-13-01"], [None, 1, None], ["乙", 1, None],
                     ["乙", 2, None], ["禁止", 1, None]])
        result = ti.preview(SCHEMA, data, user=user)
        reasons = {r.line: "；".join(r.errors) for r in result.rows}
        assert "户数：应为数字" in reasons[2] and "开始日期：日期不存在" in reasons[2]
        assert reasons[3] == "名称：必填"
        assert reasons[4] == ""
        assert reasons[5] == "与第 4 行重复"
        assert reasons[6] == "不在本辖区"

    def test_all_or_nothing_unless_valid_only(self, user):
        data = xlsx([["名称", "户数"], ["甲", 1], ["乙", "x"]])
        with pytest.raises(ImportRefused):
            ti.import_rows(SCHEMA, data, user=user)
        assert SAVED == []
        result = ti.import_rows(SCHEMA, data, user=user, valid_only=True)
        assert result.imported == 1 and [v["name"] for v in SAVED] == ["甲"]

    def test_error_rows_import_again_once_fixed_and_are_formula_safe(self, user):
        data = "名称,户数\n=1+1,x\n乙,2\n".encode()
        result = ti.preview(SCHEMA, data, user=user)
        sheet = load_workbook(BytesIO(ti.error_rows_xlsx(result))).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == ["原行号", "名称", "户数", "建筑面积（平方米）", "开始日期", "已建党组织", "错误原因"]
        assert rows[1][:3] == [2, "=1+1", "x"] and "户数" in rows[1][-1]
        assert sheet.cell(2, 2).data_type == "s"  # text, never a formula
        rows[1][1], rows[1][2] = "丙", 5
        again = ti.preview(SCHEMA, xlsx(rows), user=user)
        assert [(r.status, r.values["name"], r.values["households"]) for r in again.rows] == [("valid", "丙", 5)]

    def test_template_reads_back_as_an_empty_register(self, user):
        template = ti.template_xlsx(SCHEMA)
        workbook = load_workbook(BytesIO(template))
        assert [c.value for c in workbook.worksheets[0][1]][:2] == ["名称*", "户数"]
        assert workbook.worksheets[1].title == "填写说明"
        assert ti.preview(SCHEMA, template, user=user).rows == []

    def test_a_user_without_the_capability_is_refused(self, db):
        reader = UserFactory(role="city")
        with pytest.raises(ti.PermissionDenied):
            ti.preview(SCHEMA, xlsx([["名称"], ["甲"]]), user=reader)
