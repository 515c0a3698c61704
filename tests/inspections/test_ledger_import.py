from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from core.errors import NotFound, PermissionDenied
from inspections.imports import ImportRefused, ledger_import, ledger_preview
from inspections.models import Visit, VisitLine
from rectification.models import Case
from tests.factories import EstateFactory

from .factories import make_round

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "小区名称", "社区", "排查日期", "排查人", "问题类别", "问题描述", "整改措施", "责任人", "完成时限"]


def sheet(rows, headers=HEADERS, title_row=True) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    if title_row:
        ws.append(["秀阳社区物业服务排查台账"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setup(county_user, tree):
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    EstateFactory(name="城北佳苑", community=tree["chengbei"])
    round = make_round(county_user, tree["haiyang"])
    return round


def good_rows():
    day = timezone.localdate() - timedelta(days=3)
    deadline = timezone.localdate() + timedelta(days=20)
    return [
        [1, "海阳花园", "秀阳社区", day, "王芳", "A3", "消防通道堵塞", "清理杂物", "李强", deadline],
        [2, "海阳花园", "", day, "王芳", "擅自利用小区公共部位经营", "电梯广告收益去向不明", "公示收支", "李强", ""],
        [3, "城北佳苑", "城北社区", day.isoformat().replace("-", "/"), "张伟", "D", "车辆乱停", "", "", None],
    ]


def test_import_creates_imported_visits_and_cases_and_reimport_adds_nothing(community_user, county_user, setup):
    content = sheet(good_rows())
    preview = ledger_preview(user=county_user, round=setup, content=content)
    assert preview.errors == [] and preview.new_count == 3
    assert Visit.objects.count() == 0, "the preview writes nothing"

    ledger_import(user=county_user, round_id=setup.pk, content=content)
    visits = Visit.objects.filter(is_imported=True)
    assert visits.count() == 2  # 海阳花园 (two rows, one visit) and 城北佳苑
    assert all(v.status == "submitted" for v in visits)
    assert VisitLine.objects.filter(result="fail", case__isnull=False).count() == 3
    a3 = Case.objects.get(category__code="A3")
    assert a3.source == "inspection" and a3.deadline == timezone.localdate() + timedelta(days=20)
    assert VisitLine.objects.get(category__code="A3").measures == "清理杂物"

    again = ledger_import(user=county_user, round_id=setup.pk, content=content)
    assert again.new_count == 0 and again.skipped_count == 3
    assert (Visit.objects.count(), Case.objects.count(), VisitLine.objects.count()) == (2, 3, 3)


def test_a_bad_row_imports_nothing_and_every_error_is_named(county_user, setup):
    rows = good_rows() + [
        [4, "不存在小区", "", timezone.localdate(), "王芳", "A1", "问题", "", "", ""],
        [5, "海阳花园", "", "昨天", "王芳", "Z9", "", "", "", "下个月"],
    ]
    with pytest.raises(ImportRefused) as refused:
        ledger_import(user=county_user, round_id=setup.pk, content=sheet(rows))
    errors = "\n".join(refused.value.errors)
    assert "第 6 行：小区“不存在小区”不在本轮排查范围" in errors
    assert "第 7 行：“问题描述”不能为空。" in errors
    assert "第 7 行：问题类别“Z9”无法识别" in errors
    assert "第 7 行：排查日期“昨天”格式不正确" in errors
    assert "第 7 行：完成时限“下个月”格式不正确" in errors
    assert (Visit.objects.count(), Case.objects.count()) == (0, 0)


def test_file_problems_are_refused_in_chinese(county_user, setup):
    with pytest.raises(ImportRefused, match="不是 Excel"):
        ledger_import(user=county_user, round_id=setup.pk, content=b"a,b,c\n1,2,3\n")
    with pytest.raises(ImportRefused, match="无法读取"):
        ledger_import(user=county_user, round_id=setup.pk, content=b"PK\x03\x04garbage")
    with pytest.raises(ImportRefused, match="未找到表头"):
        ledger_import(user=county_user, round_id=setup.pk, content=sheet([[1, 2]], headers=["甲", "乙"]))
    with pytest.raises(ImportRefused, match="表头缺少必填列：排查日期"):
        ledger_import(user=county_user, round_id=setup.pk, content=sheet([], headers=["小区名称", "问题类别", "问题描述"]))


def test_duplicate_rows_in_one_sheet_are_imported_once(county_user, setup):
    row = good_rows()[0]
    ledger_import(user=county_user, round_id=setup.pk, content=sheet([row, row]))
    assert VisitLine.objects.count() == 1


def test_import_is_scoped(other_town_user, city_user, county_user, tree, setup):
    county_round = make_round(county_user, tree["county"], name="全县排查")
    with pytest.raises(ImportRefused) as refused:
        # 万安镇 works in the county's round, but 海阳镇's estates are not its own
        ledger_import(user=other_town_user, round_id=county_round.pk, content=sheet(good_rows()))
    assert "不在您的管辖范围内" in refused.value.errors[0]
    with pytest.raises(PermissionDenied):
        ledger_import(user=city_user, round_id=setup.pk, content=sheet(good_rows()))


def test_import_into_an_invisible_round_is_404(other_town_user, county_user, tree):
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    round = make_round(county_user, tree["haiyang"])
    with pytest.raises(NotFound):
        ledger_import(user=other_town_user, round_id=round.pk, content=sheet(good_rows()))
