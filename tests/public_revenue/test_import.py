from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from core import jobs
from core.models import ImportJob
from public_revenue import importer, selectors
from public_revenue.models import RevenueEntry
from tests.conftest import login

from .factories import add_disclosure

HEADER = ["日期", "收支", "类型", "金额", "交易对方", "备注"]


def xlsx(rows, header=HEADER, title_rows=1) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["海阳花园公共收益收支明细"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    [date(2025, 7, 3), "收入", "电梯广告", "12,000.50元", "新潮传媒", "第三季度广告费"],
    ["2025/8/1", "收入", "地面停车", "１２３４.５", "临停", ""],
    [datetime(2025, 8, 1, 0, 0), "收入", "地面停车", 1234.5, "临停", ""],  # same payment amount again: kept
    ["2025年9月30日", "支出", "物业服务企业管理成本", 3000, "海阳物业", "按合同 20%"],
    [date(2025, 9, 20), "支出", "共用部位设施维修养护", "88.88", "", "路灯"],
]


def test_import_reads_amounts_exactly_and_refuses_nothing_good(enterprise_user, estates):
    estate = estates["haiyang_1"]
    preview = importer.ledger_import_preview(user=enterprise_user, estate_id=estate.pk, content=xlsx(GOOD))
    assert [r.status for r in preview.rows] == ["new"] * 5
    assert [r.amount for r in preview.rows] == [
        Decimal("12000.50"),
        Decimal("1234.50"),
        Decimal("1234.50"),
        Decimal("3000.00"),
        Decimal("88.88"),
    ]
    assert not RevenueEntry.objects.exists()
    result = importer.ledger_import(user=enterprise_user, estate_id=estate.pk, content=xlsx(GOOD))
    assert len(result.new) == 5 and RevenueEntry.objects.count() == 5
    # ledger, disclosure and the figures agree to the cent
    disclosure = add_disclosure(enterprise_user, estate)
    assert disclosure.income_total == Decimal("14469.50") == result.total("income")
    assert disclosure.spending_total == Decimal("3088.88") == result.total("spending")
    town = {r["town"].name: r for r in selectors.town_figures(user=enterprise_user, year=2025)}["海阳镇"]
    assert town["income"] == Decimal("14469.50") and town["enterprise_share"] == Decimal("3000.00")


def test_reimport_adds_nothing(enterprise_user, estates):
    estate = estates["haiyang_1"]
    importer.ledger_import(user=enterprise_user, estate_id=estate.pk, content=xlsx(GOOD))
    again = importer.ledger_import(
        user=enterprise_user,
        estate_id=estate.pk,
        content=xlsx(GOOD + [[date(2025, 9, 21), "收入", "快递柜", "50", "丰巢", ""]]),
    )
    assert len(again.duplicates) == 5 and len(again.new) == 1
    assert RevenueEntry.objects.count() == 6


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ([date(2025, 7, 3), "收入", "电梯广告", "1,23", "", ""], "不是有效的数字金额"),
        ([date(2025, 7, 3), "收入", "电梯广告", "-5", "", ""], "不能为负数"),
        ([date(2025, 7, 3), "收入", "电梯广告", "1.5万", "", ""], "不是有效的数字金额"),
        (["3/4/2025", "收入", "电梯广告", "5", "", ""], "日期“3/4/2025”无法识别"),
        ([date(2025, 7, 3), "进账", "电梯广告", "5", "", ""], "应为“收入”或“支出”"),
        ([date(2025, 7, 3), "支出", "电梯广告", "5", "", ""], "支出类型“电梯广告”无法识别"),
        ([date(2099, 7, 3), "收入", "电梯广告", "5", "", ""], "日期晚于今天"),
    ],
)
def test_ambiguous_rows_are_errors_and_nothing_is_imported(enterprise_user, estates, row, reason):
    content = xlsx([GOOD[0], row])
    preview = importer.ledger_import_preview(user=enterprise_user, estate_id=estates["haiyang_1"].pk, content=content)
    assert preview.rows[1].status == "error" and reason in "；".join(preview.rows[1].reasons)
    with pytest.raises(importer.ImportRefused, match="第 4 行"):
        importer.ledger_import(user=enterprise_user, estate_id=estates["haiyang_1"].pk, content=content)
    assert not RevenueEntry.objects.exists()


def test_unreadable_files_are_refused(enterprise_user, estates):
    with pytest.raises(importer.ImportRefused, match="无法读取"):
        importer.ledger_import_preview(user=enterprise_user, estate_id=estates["haiyang_1"].pk, content=b"not excel")
    with pytest.raises(importer.ImportRefused, match="未找到表头"):
        importer.ledger_import_preview(
            user=enterprise_user, estate_id=estates["haiyang_1"].pk, content=xlsx(GOOD, header=["a", "b"])
        )


def test_import_page_preview_then_confirm(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    url = f"/revenue/estates/{estate.pk}/import/"
    login(client, enterprise_user)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("明细.xlsx", xlsx(GOOD))
    response = client.post(url, {"action": "preview", "file": upload})
    assert response.status_code == 200 and "新增 5 条" in response.content.decode()
    assert not RevenueEntry.objects.exists()
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302 and RevenueEntry.objects.count() == 5
    bad = SimpleUploadedFile("坏.xlsx", b"PK\x03\x04garbage")
    response = client.post(url, {"action": "preview", "file": bad})
    assert response.status_code == 400 and "无法读取" in response.content.decode()
    assert client.post(f"/revenue/estates/{estates['wanan_1'].pk}/import/", {"action": "confirm"}).status_code == 404


def _preview_table(response) -> str:
    body = response.content.decode()
    return body[body.index('data-testid="import-preview"'):body.index("</table>")]


def test_a_large_file_is_previewed_and_imported_by_jobs(client, enterprise_user, county_user, estates, settings,
                                                        django_capture_on_commit_callbacks):
    estate = estates["haiyang_1"]
    url = f"/revenue/estates/{estate.pk}/import/"
    login(client, enterprise_user)
    synchronous = client.post(url, {"action": "preview", "file": SimpleUploadedFile("明细.xlsx", xlsx(GOOD))})
    settings.IMPORT_BACKGROUND_BYTES = 100
    with django_capture_on_commit_callbacks():
        response = client.post(url, {"action": "preview", "file": SimpleUploadedFile("明细.xlsx", xlsx(GOOD))})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and not RevenueEntry.objects.exists()
    jobs.job_run(job.pk)
    assert ImportJob.objects.get(pk=job.pk).rows_total == 5
    page = client.get(f"/jobs/{job.pk}/", follow=True)
    assert page.redirect_chain == [(f"{url}?job={job.pk}", 302)]
    assert _preview_table(page) == _preview_table(synchronous) and "确认导入 5 条" in page.content.decode()
    assert login(Client(), county_user).get(f"{url}?job={job.pk}").status_code == 404  # not the owner

    with django_capture_on_commit_callbacks():
        response = client.post(url, {"action": "confirm"})
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{second.pk}/" and not RevenueEntry.objects.exists()
    jobs.job_run(second.pk)
    assert sorted(RevenueEntry.objects.values_list("amount", flat=True)) == sorted(
        [Decimal("12000.50"), Decimal("1234.50"), Decimal("1234.50"), Decimal("3000.00"), Decimal("88.88")])
    page = client.get(f"/jobs/{second.pk}/", follow=True)
    assert page.redirect_chain[-1][0] == f"/revenue/estates/{estate.pk}/"
    assert "已导入 5 条，跳过重复 0 条。" in page.content.decode()
