from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from estate_registers import services
from estate_registers.models import FeeDisclosure, Lift, ReviewStatus
from estate_registers.registry import REGISTERS
from tests.conftest import login
from tests.rectification.factories import png

from .factories import add_collection, add_contract, add_fee_disclosure, add_lift

SLUGS = list(REGISTERS)


def _one_of_each(user, estate, n=0):
    rows = {
        "fund-accounts": services.fund_account_save(user=user, estate_id=estate.pk, deposit_status="partial"),
        "fund-collections": add_collection(user, estate),
        "fund-uses": services.fund_use_save(user=user, estate_id=estate.pk, item="屋面防水维修", amount=12000,
                                            used_on=date(2025, 9, 1)),
        "lifts": add_lift(user, estate, number=f"L-{estate.pk}-{n}"),
        "parking": services.parking_save(user=user, estate_id=estate.pk, planned_spaces=100, public_spaces=20,
                                         sold_spaces=50, rented_spaces=30),
        "service-contracts": add_contract(user, estate, filing=f"XN-{estate.pk}-{n}"),
        "fee-disclosures": add_fee_disclosure(user, estate),
    }
    return rows


def test_it_works_and_another_towns_row_is_404(client, town_user, other_town_user, county_user, estates):
    rows = _one_of_each(town_user, estates["haiyang_1"])
    login(client, other_town_user)
    for slug, row in rows.items():
        for name in ("detail", "edit"):
            assert client.get(reverse(f"estate_registers:{name}", args=[slug, row.pk])).status_code == 404
        assert client.post(reverse("estate_registers:review", args=[slug, row.pk]),
                           {"decision": "approve"}).status_code == 404
        assert row.pk not in [r.pk for r, _ in client.get(reverse(f"estate_registers:list-{slug}")).context["rows"]]
    assert client.get(reverse("estate_registers:fee-photo", args=[rows["fee-disclosures"].pk])).status_code == 404
    login(client, county_user)
    for slug, row in rows.items():
        page = client.get(reverse("estate_registers:detail", args=[slug, row.pk]))
        assert page.status_code == 200 and "待审核" in page.content.decode()
        assert "审核通过" not in page.content.decode()  # the county sees; only the town reviews
    assert client.get(reverse("estate_registers:fee-photo", args=[rows["fee-disclosures"].pk])).status_code == 200


def test_town_returns_with_a_reason_on_the_page(client, town_user, enterprise_user, estates):
    lift = add_lift(enterprise_user, estates["haiyang_1"])
    login(client, town_user)
    url = reverse("estate_registers:review", args=["lifts", lift.pk])
    response = client.post(url, {"decision": "return", "reason": ""}, follow=True)
    assert "退回时请填写退回原因" in response.content.decode()
    client.post(url, {"decision": "return", "reason": "维保日期与维保记录不符"})
    lift.refresh_from_db()
    assert lift.status == ReviewStatus.RETURNED
    login(client, enterprise_user)
    page = client.get(reverse("estate_registers:detail", args=["lifts", lift.pk])).content.decode()
    assert "维保日期与维保记录不符" in page


def test_enterprise_enters_a_lift_through_the_form(client, enterprise_user, estates):
    estate = estates["haiyang_1"]
    login(client, enterprise_user)
    url = reverse("estate_registers:create", args=["lifts"]) + f"?estate={estate.pk}"
    assert client.get(url).status_code == 200
    data = {"registration_number": "31103410222012000777", "location": "5栋2单元", "install_year": "2009",
            "maintenance_company": "黄山电梯维保公司", "last_maintained_on": "2025-10-01", "in_service": "on",
            "renewal_status": "none", "renewal_applied_on": "", "funding_source": "", "note": ""}
    response = client.post(url, data)
    lift = Lift.objects.get(registration_number="31103410222012000777")
    assert response.status_code == 302 and lift.status == ReviewStatus.SUBMITTED and lift.entered_by == enterprise_user
    bad = client.post(url, {**data, "registration_number": "X-9", "renewal_status": "applied"})
    assert bad.status_code == 400 and "申报日期" in bad.content.decode()
    other = client.get(reverse("estate_registers:create", args=["lifts"]) + f"?estate={estates['wanan_1'].pk}")
    assert other.status_code == 404


def test_fee_disclosure_form_rebuilds_the_photo(client, enterprise_user, estates):
    login(client, enterprise_user)
    url = reverse("estate_registers:create", args=["fee-disclosures"]) + f"?estate={estates['haiyang_1'].pk}"
    response = client.post(url, {"disclosed_on": "2025-09-01", "fee_charged": "1.20", "location": "大门公告栏",
                                 "note": "", "photo": png("公示.png")})
    assert response.status_code == 302
    row = FeeDisclosure.objects.get()
    assert row.photo_name == "公示.png" and row.photo.name.endswith(".png")


def test_overview_counts_equal_their_lists(client, town_user, enterprise_user, estates):
    estate = estates["haiyang_1"]
    add_lift(enterprise_user, estate, number="A", year=2005, maintained=date(2025, 9, 1))  # overdue, old
    add_lift(enterprise_user, estate, number="B", year=2015, maintained=date(2025, 10, 5))
    add_lift(enterprise_user, estate, number="C", year=2001, maintained=None)  # never maintained, old
    add_lift(enterprise_user, estate, number="D", year=2020,
             maintained=date(2025, 10, 1), in_service=False)
    login(client, town_user)
    page = client.get(reverse("estate_registers:overview"))
    lifts = next(item for _, items in page.context["groups"] for item in items if item["register"].slug == "lifts")
    assert (lifts["total"], lifts["maintenance_overdue"], lifts["over_age"]) == (4, 2, 2)
    for due, expected in (("maintenance", 2), ("age", 2)):
        listed = client.get(reverse("estate_registers:list-lifts") + f"?due={due}")
        assert listed.context["page"].paginator.count == expected
    submitted = client.get(reverse("estate_registers:list-lifts") + "?status=submitted")
    assert submitted.context["page"].paginator.count == lifts["submitted"] == 4


@pytest.mark.parametrize("slug", SLUGS)
def test_list_query_budget(client, county_user, estates, slug, django_assert_max_num_queries):
    for n, key in enumerate(["haiyang_1", "haiyang_2", "wanan_1"]):
        _one_of_each(county_user, estates[key], n)
    login(client, county_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(f"estate_registers:list-{slug}"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 3


def test_overview_query_budget(client, county_user, estates, django_assert_max_num_queries):
    _one_of_each(county_user, estates["haiyang_1"])
    login(client, county_user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("estate_registers:overview")).status_code == 200


def test_export_escapes_formulas(client, county_user, estates):
    add_collection(county_user, estates["haiyang_1"], note="=HYPERLINK(\"http://x\")")
    login(client, county_user)
    response = client.get(reverse("estate_registers:list-fund-collections") + "?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "小区" and "代收金额（元）" in rows[0]
    assert rows[1][0] == "海阳花园" and '=HYPERLINK("http://x")' in rows[1]
    cell = next(c for c in sheet[2] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_parking_dispute_page_opens_a_case(client, community_user, other_town_user, estates):
    login(client, community_user)
    response = client.post(reverse("estate_registers:dispute-create"), {
        "estate": estates["haiyang_1"].pk, "kind": "ground_lock", "description": "私设地锁",
    })
    assert response.status_code == 302 and "/cases/" in response["Location"]
    assert client.get(reverse("estate_registers:dispute-list")).context["page"].paginator.count == 1
    login(client, other_town_user)
    assert client.get(reverse("estate_registers:dispute-list")).context["page"].paginator.count == 0
