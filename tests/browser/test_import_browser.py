"""The county imports a messy 12345 month: maps an unmapped platform category in the preview,
imports the valid rows, downloads the error rows, resolves an unknown estate; next month's file
with the same category and that estate's other name imports with no question asked."""

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from accounts.models import Role
from complaints.models import Complaint
from tests.complaints.factories import xlsx
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

from .conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Test@2025x"
HEADERS = ["受理编号", "受理时间", "诉求人", "联系方式", "问题描述", "所属镇街", "所在小区", "诉求类型"]


def test_a_messy_month_then_a_clean_next_month(browser, live_server, page, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cache.clear()
    tree = make_tree()
    estate = EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=EnterpriseFactory(name="海阳物业"))
    county = UserFactory(username="county-i", role=Role.COUNTY_GROUP, region=tree["county"])
    county.set_password(PASSWORD)
    county.save()
    june = tmp_path / "六月12345.xlsx"
    june.write_bytes(xlsx([
        ["G1", "2025年06月14日 22时11分", "张先生", "13800000001", "电梯停运", "海阳镇", "海阳花园小区", "电梯故障"],
        ["G2", "2025/6/15 9:00", "李女士", "13800000002", "遛狗不牵绳", "海阳镇", "海阳花园", "文明养犬"],
        ["G3", "2025年6月32日", "王先生", "13800000003", "车位被占", "海阳镇", "海阳花园", "停车管理"],
        ["G4", "2025/6/16 10:00", "匿名", "", "路灯坏了", "海阳镇", "海阳嘉园", "环境卫生"],
        ["合计", None, None, None, "共 4 件"],
    ], headers=HEADERS, title="12345 热线工单（2025年6月）"))

    browser_login(page, "county-i", PASSWORD)
    page.goto(page.base_url + "/complaints/import/")
    page.set_input_files("input[name=file]", str(june))
    page.click("form[enctype] button.btn-primary")
    summary = page.locator("[data-testid=import-summary]").inner_text()
    assert "合计/说明行 1" in summary and "类别待对应 1" in summary and "错误 1" in summary
    page.locator("[data-testid=category-choice]").select_option(label="F6 群众反映强烈的其他物业服务问题")
    screenshot(page, "import-preview-1280")
    with page.expect_download() as download_info:
        page.locator("[data-testid=import-error-download]").first.click()
    errors = _rows(download_info.value.path().read_bytes())
    assert errors[0][-1] == "错误原因" and {r[1] for r in errors[1:]} == {"G2", "G3"}
    page.click("[data-testid=import-confirm]")
    page.wait_for_url("**/complaints/import/")
    assert set(Complaint.objects.values_list("reference", flat=True)) == {"G1", "G2", "G4"}
    assert Complaint.objects.get(reference="G2").category.code == "F6"
    with page.expect_download() as download_info:
        page.locator("[data-testid=import-error-download]").click()
    left = _rows(download_info.value.path().read_bytes())
    assert [r[1] for r in left[1:]] == ["G3"]

    # the unknown estate, resolved by a person, becomes an alias
    pending = Complaint.objects.get(reference="G4")
    page.goto(page.base_url + f"/complaints/{pending.pk}/")
    page.locator("select[name=estate]").select_option(str(estate.pk))
    page.click("text=确认匹配")
    assert "已记为该小区的别名" in page.content()

    # next month: same category, the aliased name — nothing to ask
    july = tmp_path / "七月12345.xlsx"
    july.write_bytes(xlsx([
        ["H1", "2025年07月02日 08时00分", "赵先生", "13800000009", "又有人遛狗不牵绳", "海阳镇", "海阳嘉园", "文明养犬"],
    ], headers=HEADERS))
    page.goto(page.base_url + "/complaints/import/")
    page.set_input_files("input[name=file]", str(july))
    page.click("form[enctype] button.btn-primary")
    assert page.locator("[data-testid=category-chooser]").count() == 0
    page.click("[data-testid=import-confirm]")
    page.wait_for_url("**/complaints/")
    july_complaint = Complaint.objects.get(reference="H1")
    assert july_complaint.estate == estate and july_complaint.category.code == "F6"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/complaints/import/")
    screenshot(page, "import-page-390")


def _rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
