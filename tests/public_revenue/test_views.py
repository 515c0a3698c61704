from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.files import check_content
from public_revenue.models import Disclosure, RevenueEntry
from tests.conftest import login
from tests.factories import EstateFactory
from tests.rectification.factories import PNG, fake_png, pdf, png

from .factories import add_account, add_disclosure, add_income, add_spending


def test_overview_shows_coverage_per_town(client, county_user, enterprise_user, estates):
    add_account(enterprise_user, estates["haiyang_1"])
    response = login(client, county_user).get("/revenue/")
    assert response.status_code == 200
    figures = {r["town"].name: r for r in response.context["figures"]}
    assert set(figures) == {"海阳镇", "万安镇"}  # 屯溪区 is another county
    assert (figures["海阳镇"]["with_account"], figures["海阳镇"]["managed"], figures["海阳镇"]["coverage"]) == (
        1,
        2,
        Decimal("50.0"),
    )
    assert figures["万安镇"]["coverage"] == Decimal("0.0")
    assert "50.0%" in response.content.decode() and "**** **** 0123" in response.content.decode()


def test_overview_is_scoped(client, town_user, enterprise_user, estates):
    names = {e.name for e in login(client, town_user).get("/revenue/").context["page"]}
    assert names == {"海阳花园", "城北佳苑"}
    client.logout()
    names = {e.name for e in login(client, enterprise_user).get("/revenue/").context["page"]}
    assert names == {"海阳花园", "城北佳苑"}  # the estates enterprise A serves


def test_ledger_ownership_404(client, other_town_user, enterprise_user, estates):
    estate = estates["haiyang_1"]
    entry = add_income(enterprise_user, estate, voucher=pdf())
    disclosure = add_disclosure(enterprise_user, estate)
    login(client, other_town_user)
    for url in [
        f"/revenue/estates/{estate.pk}/",
        f"/revenue/estates/{estate.pk}/entries/new/",
        f"/revenue/estates/{estate.pk}/account/",
        f"/revenue/estates/{estate.pk}/sources/new/",
        f"/revenue/estates/{estate.pk}/disclosures/new/",
        f"/revenue/estates/{estate.pk}/import/",
        f"/revenue/entries/{entry.pk}/voucher/",
        f"/revenue/disclosures/{disclosure.pk}/photo/",
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/revenue/disclosures/{disclosure.pk}/review/")
    assert response.status_code == 404


def test_enterprise_user_cannot_post_to_an_estate_it_does_not_serve(client, enterprise_user, estates):
    response = login(client, enterprise_user).post(
        f"/revenue/estates/{estates['wanan_1'].pk}/entries/new/",
        {"direction": "income", "kind": "elevator_ad", "occurred_on": "2025-09-01", "amount": "100"},
    )
    assert response.status_code == 404
    assert not RevenueEntry.objects.exists()


def test_entry_page_records_and_refuses_in_chinese(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    url = f"/revenue/estates/{estate.pk}/entries/new/"
    login(client, enterprise_user)
    assert client.get(url).status_code == 200
    data = {
        "direction": "income",
        "kind": "elevator_ad",
        "occurred_on": "2025-09-01",
        "amount": "１,２００.５０元",
        "counterparty": "分众传媒",
    }
    response = client.post(url, {**data, "voucher": png("收据.png")})
    assert response.status_code == 302
    entry = RevenueEntry.objects.get()
    assert entry.amount == Decimal("1200.50") and entry.voucher_content_type == "image/png"
    assert client.get(f"/revenue/entries/{entry.pk}/voucher/").status_code == 200

    for bad, message in [
        ({"amount": "-3"}, "不能为负数"),
        ({"amount": "壹佰"}, "不是有效的数字金额"),
        ({"occurred_on": "2099-01-01"}, "不能晚于今天"),
        ({"kind": "maintenance"}, "对应的类型"),
    ]:
        response = client.post(url, {**data, **bad})
        assert response.status_code == 400, bad
        assert message in response.content.decode()
    response = client.post(url, {**data, "voucher": fake_png()})
    assert response.status_code == 400 and "不是允许的类型" in response.content.decode()
    assert RevenueEntry.objects.count() == 1


def test_disclosure_page_and_future_period(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_income(enterprise_user, estate, amount="300", day=date(2025, 8, 8))
    url = f"/revenue/estates/{estate.pk}/disclosures/new/"
    login(client, enterprise_user)
    response = client.get(url)
    assert "2025年第3季度" in response.content.decode()
    data = {"period_start": "2025-10-01", "posted_location": "东门公告栏", "posted_on": "2025-10-10", "photo": png()}
    response = client.post(url, data)
    assert response.status_code == 400  # not one of the offered (ended) periods
    response = client.post(url, {**data, "period_start": "2025-07-01", "photo": png()})
    assert response.status_code == 302
    assert Disclosure.objects.get().income_total == Decimal("300.00")


def test_account_page_masks_the_number(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    login(client, enterprise_user)
    response = client.post(
        f"/revenue/estates/{estate.pk}/account/",
        {
            "has_account": "1",
            "bank": "休宁农商银行",
            "account_name": "海阳花园业委会",
            "account_number": "6228480012345678",
            "holder": "owners_committee",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/revenue/estates/{estate.pk}/").content.decode()
    assert "**** **** 5678" in page and "6228480012345678" not in page
    response = client.post(
        f"/revenue/estates/{estate.pk}/account/",
        {"has_account": "1", "bank": "x", "account_name": "y", "account_number": "12ab", "holder": "owners_committee"},
    )
    assert response.status_code == 400 and "账号应为" in response.content.decode()


def test_public_page_shows_ledger_sums_and_no_personal_data(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_account(enterprise_user, estate, number="6222021234567890123")
    for amount in ["1000.10", "2000.20"]:
        add_income(enterprise_user, estate, amount=amount, day=date(2025, 8, 1))
    add_spending(
        enterprise_user, estate, amount="300.03", day=date(2025, 8, 2), kind="enterprise_share", basis="contract"
    )
    add_income(enterprise_user, estate, amount="50.05", day=date(2025, 10, 2))
    disclosure = add_disclosure(enterprise_user, estate)
    response = client.get(f"/revenue/public/estates/{estate.pk}/")  # no login
    assert response.status_code == 200
    html = response.content.decode()
    year_income = sum(
        RevenueEntry.objects.filter(estate=estate, direction="income", occurred_on__year=2025).values_list(
            "amount", flat=True
        )
    )
    assert year_income == Decimal("3050.35")
    assert response.context["year_totals"]["income_total"] == year_income
    assert "3,050.35" in html and "3,000.30" in html and "300.03" in html  # money with thousands separators
    assert "6222021234567890123" not in html and "**** **** 0123" in html
    assert enterprise_user.username not in html and str(enterprise_user) not in html
    photo = client.get(f"/revenue/public/disclosures/{disclosure.pk}/photo/")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == check_content(PNG)[0]
    assert client.get("/revenue/public/estates/999999/").status_code == 404


def test_disclosure_review_list(client, town_user, enterprise_user, estates):
    disclosure = add_disclosure(enterprise_user, estates["haiyang_1"])
    login(client, town_user)
    response = client.get("/revenue/disclosures/")
    assert response.status_code == 200 and "2025年第3季度" in response.content.decode()
    response = client.post(f"/revenue/disclosures/{disclosure.pk}/review/", {"note": "已核对"})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.reviewed_by == town_user
    client.logout()
    login(client, enterprise_user)
    assert client.post(f"/revenue/disclosures/{disclosure.pk}/review/").status_code == 403


def test_exports(client, county_user, enterprise_user, estates):
    add_income(enterprise_user, estates["haiyang_1"], amount="1234.56", day=date(2025, 8, 1), note="=HYPERLINK(1)")
    login(client, county_user)
    response = client.get("/revenue/?export=xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["分镇汇总", "小区公共收益"]
    rows = list(book["分镇汇总"].values)
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][4])) == Decimal("1234.56")
    response = client.get(f"/revenue/estates/{estates['haiyang_1'].pk}/?export=xlsx")
    sheet = load_workbook(BytesIO(response.content))["收支明细"]
    row = list(sheet.values)[1]
    assert Decimal(str(row[7])) == Decimal("1234.56") and row[12] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=13).data_type == "s"


LIST_URLS = ["/revenue/", "/revenue/disclosures/", "/revenue/estates/{estate}/"]


def _query_counts(client, estate) -> dict:
    counts = {}
    for template in LIST_URLS:
        url = template.format(estate=estate.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    return counts


def _add_estates(enterprise_user, tree, enterprise, start, stop):
    estate = None
    for n in range(start, stop):
        estate = EstateFactory(name=f"批量小区{n}", community=tree["xiuyang"], enterprise=enterprise)
        add_account(enterprise_user, estate)
        add_disclosure(enterprise_user, estate)
        add_income(enterprise_user, estate, amount="10", day=date(2025, 8, 1))
    return estate


def test_list_pages_query_count_is_the_same_for_5_and_50_rows(client, county_user, enterprise_user, tree, estates):
    enterprise = estates["haiyang_1"].enterprise
    estate = _add_estates(enterprise_user, tree, enterprise, 0, 5)
    for _ in range(5):
        add_income(enterprise_user, estate, amount="1", day=date(2025, 8, 2))
    login(client, county_user)
    five = _query_counts(client, estate)
    _add_estates(enterprise_user, tree, enterprise, 5, 50)
    for _ in range(45):
        add_income(enterprise_user, estate, amount="1", day=date(2025, 8, 2))
    fifty = _query_counts(client, estate)
    assert five == fifty
    assert all(count <= 20 for count in fifty.values()), fifty


def test_estate_detail_shows_the_account_panel(client, town_user, enterprise_user, estates):
    login(client, town_user)
    page = client.get(f"/communities/estates/{estates['haiyang_1'].pk}/").content.decode()
    assert "专门账户：" in page and "未登记" in page
    add_account(enterprise_user, estates["haiyang_1"])
    page = client.get(f"/communities/estates/{estates['haiyang_1'].pk}/").content.decode()
    assert "已开设 **** **** 0123" in page and f"/revenue/estates/{estates['haiyang_1'].pk}/" in page


def test_town_figures_for_a_scheduled_report_by_region(enterprise_user, county_user, estates, tree):
    from public_revenue import selectors

    add_account(enterprise_user, estates["haiyang_1"])
    add_income(enterprise_user, estates["haiyang_1"], amount="10.10", day=date(2025, 8, 1))
    by_region = selectors.town_figures(region=tree["county"], year=2025)
    assert by_region == selectors.town_figures(user=county_user, year=2025)
    assert selectors.figures_total(by_region)["income"] == Decimal("10.10")


def test_read_only_users_get_403_on_the_forms(client, city_user, community_user, estates):
    for user in (city_user, community_user):
        login(client, user)
        for path in ["entries/new/", "disclosures/new/", "account/", "sources/new/", "import/"]:
            response = client.get(f"/revenue/estates/{estates['haiyang_1'].pk}/{path}")
            assert response.status_code == 403 and "不能登记公共收益" in response.content.decode()
        client.logout()
