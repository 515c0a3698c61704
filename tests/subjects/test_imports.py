"""Developers and committees from Excel (subjects.registers on core.tabular_import): preview with
a Chinese reason per row, only valid rows imported through the services, the error file imports
again once corrected, a second import updates instead of duplicating, and the scope holds."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook, load_workbook

from communities.models import OwnersBodyStatus
from core import tabular_import as ti
from subjects.models import CommitteeMember, Developer, OwnersCommittee, ProjectObligation
from subjects.registers import COMMITTEE_IMPORT, DEVELOPER_IMPORT
from tests.conftest import login
from tests.factories import valid_credit_code


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COMMITTEE_HEADER = ["社区", "小区名称", "类型", "任期开始", "任期届满", "党组织", "主任", "副主任"]


def test_committee_import_with_error_rows_and_renewal(estates, town_user):
    data = xlsx([["海阳镇业委会统计表"], COMMITTEE_HEADER,
                 ["秀阳社区", "海阳花园", "业委会", "2026-01-01", "2030-12-31", "是", "王建国", "李秀英、张志强"],
                 ["城北社区", "城北佳苑", "物管会", "2026-02-01", "2025-01-31", "否", "", ""],
                 ["万安社区", "横江苑", "业委会", "2026-01-01", "2030-12-31", "否", "", ""]])
    result = ti.preview(COMMITTEE_IMPORT, data, user=town_user, filename="业委会.xlsx")
    by_line = {row.line: row for row in result.rows}
    assert by_line[3].status_label == "新增"
    assert by_line[4].status == "error" and "任期届满日期不能早于开始日期" in by_line[4].errors[0]
    assert by_line[5].status == "error" and "不在本辖区" in by_line[5].errors[0]  # 万安镇's estate

    ti.import_rows(COMMITTEE_IMPORT, data, user=town_user, valid_only=True)
    committee = OwnersCommittee.objects.get(estate=estates["haiyang_1"])
    assert committee.has_party_organisation and committee.term_end == date(2030, 12, 31)
    assert set(CommitteeMember.objects.values_list("name", "role")) == {
        ("王建国", "director"), ("李秀英", "deputy"), ("张志强", "deputy")}
    estates["haiyang_1"].refresh_from_db()
    assert estates["haiyang_1"].owners_body_status == OwnersBodyStatus.COMMITTEE

    # the error file, corrected, imports again
    errors = load_workbook(BytesIO(ti.error_rows_xlsx(result))).active
    rows = [list(row) for row in errors.iter_rows(values_only=True)]
    header = rows[0]
    fixed = [header] + [row for row in rows[1:] if row[header.index("小区名称")] == "城北佳苑"]
    fixed[1][header.index("任期届满")] = "2031-01-31"
    ti.import_rows(COMMITTEE_IMPORT, xlsx(fixed), user=town_user)
    assert OwnersCommittee.objects.get(estate=estates["haiyang_2"]).kind == "management_committee"

    # the same file again: updated, not duplicated; a new term start is the 换届
    ti.import_rows(COMMITTEE_IMPORT, data, user=town_user, valid_only=True)
    assert OwnersCommittee.objects.filter(estate=estates["haiyang_1"]).count() == 1
    assert CommitteeMember.objects.count() == 3
    renewal = xlsx([COMMITTEE_HEADER, ["秀阳社区", "海阳花园", "业委会", "2031-01-01", "2035-12-31", "是", "", ""]])
    assert ti.preview(COMMITTEE_IMPORT, renewal, user=town_user).rows[0].status_label == "换届"
    ti.import_rows(COMMITTEE_IMPORT, renewal, user=town_user)
    assert OwnersCommittee.objects.filter(estate=estates["haiyang_1"]).count() == 2
    assert OwnersCommittee.objects.get(estate=estates["haiyang_1"], is_current=True).term_start == date(2031, 1, 1)


def test_developer_import_upserts_by_credit_code(estates, county_user):
    code = valid_credit_code(555)
    header = ["建设单位名称", "统一社会信用代码", "登记单位", "项目名称", "涉及小区", "交付日期"]
    data = xlsx([header,
                 ["海阳置业", code, "海阳镇", "一期", "海阳花园、城北佳苑", "2024-09-30"],
                 ["海阳置业", code, "海阳镇", "二期", "", ""],
                 ["坏代码公司", "91341022MA2000001A", "", "", "", ""],
                 ["外县公司", valid_credit_code(556), "海阳镇", "三期", "老街府", ""]])
    result = ti.preview(DEVELOPER_IMPORT, data, user=county_user)
    statuses = [row.status for row in result.rows]
    assert statuses == ["valid", "valid", "error", "error"]
    assert "统一社会信用代码" in result.rows[2].errors[0] and "不在本辖区" in result.rows[3].errors[0]
    ti.import_rows(DEVELOPER_IMPORT, data, user=county_user, valid_only=True)
    developer = Developer.objects.get(credit_code=code)
    assert developer.region.name == "海阳镇"
    assert sorted(developer.projects.values_list("name", flat=True)) == ["一期", "二期"]
    assert set(developer.projects.get(name="一期").estates.values_list("name", flat=True)) == {"海阳花园", "城北佳苑"}
    assert ProjectObligation.objects.filter(project__developer=developer).count() == 14
    ti.import_rows(DEVELOPER_IMPORT, data, user=county_user, valid_only=True)
    assert Developer.objects.count() == 1 and developer.projects.count() == 2


def test_import_pages_and_template(county_user, client, estates):
    login(client, county_user)
    assert client.get("/subjects/committees/import/").status_code == 200
    template = client.get("/subjects/committees/import/template.xlsx")
    assert template.status_code == 200
    headings = next(load_workbook(BytesIO(template.content)).active.iter_rows(values_only=True))
    assert "小区名称*" in headings and "任期届满*" in headings
