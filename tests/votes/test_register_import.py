"""The owners register from Excel: preview with a reason per row, 仅导入有效行, encrypted names,
updates by (estate, unit), estates outside the user's scope and estates in a vote refused."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import tabular_import as ti
from tests.conftest import login
from votes import privacy
from votes.models import OwnerUnit
from votes.registers import OWNER_IMPORT

pytestmark = pytest.mark.django_db


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["小区名称", "房号", "业主姓名", "建筑面积", "电话"]


def test_preview_and_import_valid_rows_only(estates, community_user):
    data = xlsx([HEADER, ["海阳花园", "1-101", "张三，李四", "89.5㎡", "13800138000"],
                 ["海阳花园", "1-102", "王五", "-3", None],
                 ["横江苑", "1-101", "赵六", 80, None],  # 万安镇: not the community's
                 ["海阳花园", "1-101", "重复", 80, None]])
    result = ti.preview(OWNER_IMPORT, data, user=community_user, filename="名册.xlsx")
    assert result.counts()["valid"] == 1
    reasons = " ".join(" ".join(r.errors) for r in result.rejected)
    assert "不在您的管辖范围内" in reasons and "专有部分面积" in reasons
    ti.import_rows(OWNER_IMPORT, data, user=community_user, valid_only=True, filename="名册.xlsx")
    unit = OwnerUnit.objects.get(unit="1-101")
    assert unit.area == Decimal("89.50")
    assert privacy.owner_decrypt(unit.owner_names_encrypted) == "张三、李四"
    assert "张三" not in unit.owner_names_encrypted


def test_import_updates_a_unit_already_in_the_register(estates, community_user):
    ti.import_rows(OWNER_IMPORT, xlsx([HEADER, ["海阳花园", "1-101", "张三", 80, None]]), user=community_user)
    ti.import_rows(OWNER_IMPORT, xlsx([HEADER, ["海阳花园", "1-101", "张三、李四", 81, None]]), user=community_user)
    unit = OwnerUnit.objects.get()
    assert unit.area == Decimal("81.00") and privacy.owner_decrypt(unit.owner_names_encrypted) == "张三、李四"


def test_estate_in_an_open_vote_is_refused(open_vote, community_user):
    result = ti.preview(OWNER_IMPORT, xlsx([HEADER, ["海阳花园", "9-901", "张三", 80, None]]), user=community_user)
    assert "正在表决" in " ".join(result.rejected[0].errors)


def test_import_page_and_template(client, estates, community_user, city_user):
    login(client, community_user)
    assert client.get("/votes/owners/import/template.xlsx").status_code == 200
    upload = SimpleUploadedFile("名册.xlsx", xlsx([HEADER, ["海阳花园", "1-101", "张三", 80, None]]))
    assert client.post("/votes/owners/import/", {"file": upload}).status_code == 200
    assert client.post("/votes/owners/import/confirm/", {"valid_only": "1"}).status_code == 302
    assert OwnerUnit.objects.count() == 1
    login(client, city_user)
    assert client.get("/votes/owners/import/").status_code == 403
