from datetime import timedelta

import pytest
from django.utils import timezone

from enterprises import services
from enterprises.models import ExitRecord, ServiceLevelChange
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _data():
    """The exit as the page posts it."""
    today = timezone.localdate()
    return {"reason": "contract_ended", "decision": "合同期满不再续聘", "decision_date": (today - timedelta(days=5)).isoformat(),
            "notice_date": today.isoformat(), "handover_deadline": (today + timedelta(days=30)).isoformat(),
            "new_manager_name": "业主委员会"}


def _exit(**values):
    """The same exit as the service takes it."""
    today = timezone.localdate()
    return {"reason": "contract_ended", "decision": "合同期满不再续聘", "decision_date": today - timedelta(days=5),
            "notice_date": today, "handover_deadline": today + timedelta(days=30), "new_manager_name": "业主委员会",
            **values}


def test_county_records_an_exit_and_ticks_an_item(client, county_user, estates):
    login(client, county_user)
    assert client.get("/enterprises/exits/").status_code == 200
    response = client.post("/enterprises/exits/", {"estate": estates["haiyang_1"].pk, **_data()})
    record = ExitRecord.objects.get()
    assert response.status_code == 302
    body = client.get(f"/enterprises/exits/{record.pk}/").content.decode()
    assert "物业服务用房" in body and "业主名册" in body
    item = record.handover_items.first()
    response = client.post(f"/enterprises/exits/{record.pk}/tick/", {
        "item": item.pk, "done_on": timezone.localdate().isoformat(), "evidence": "交接单"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == timezone.localdate()


def test_it_validates_ownership(client, county_user, other_town_user, estates):
    record = services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **_exit())
    login(client, other_town_user)
    assert client.get(f"/enterprises/exits/{record.pk}/").status_code == 404
    assert record not in client.get("/enterprises/exits/").context["records"]


def test_town_cannot_record(client, town_user, estates):
    response = login(client, town_user).post("/enterprises/exits/", {"estate": estates["haiyang_1"].pk, **_data()})
    assert response.status_code == 403


def test_bad_input_is_400(client, county_user, estates):
    response = login(client, county_user).post("/enterprises/exits/", {
        "estate": estates["haiyang_1"].pk, **_data(), "handover_deadline": "明天"})
    assert response.status_code == 400 and "日期格式" in response.content.decode()


def test_api_exits_scoped(api_client, county_user, other_town_user, estates):
    services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **_exit())
    api_client.force_authenticate(county_user)
    rows = api_client.get("/api/v1/exits/").json()["results"]
    assert len(rows) == 1 and len(rows[0]["handover_items"]) == 7
    api_client.force_authenticate(other_town_user)
    assert api_client.get("/api/v1/exits/").json()["results"] == []


def test_picker_warns_about_black_listed_enterprises(client, county_user, estates, tree):
    from tests.enterprises.test_credit_pages import _published

    _published(estates, county_user, tree)
    body = login(client, county_user).get("/enterprises/exits/").content.decode()
    assert "海阳物业公司（⚠ 黑榜企业，请慎重选聘）" in body


@pytest.mark.parametrize("url,data", [
    ("/enterprises/exits/", {"estate": "abc"}),
    ("/enterprises/my-credit/", {"entry": "abc", "content": "异议内容很充分"}),
])
def test_garbage_ids_are_404_not_500(client, county_user, enterprise_user, estates, url, data):
    user = enterprise_user if "my-credit" in url else county_user
    payload = {**_data(), **data} if "exits" in url else data
    assert login(client, user).post(url, payload).status_code == 404


# The pages' forms parse (a wrong value: InvalidInput's message); the service says what is missing.


def test_exit_page_names_a_missing_date(client, county_user, estates):
    response = login(client, county_user).post("/enterprises/exits/", {
        "estate": estates["haiyang_1"].pk, **_data(), "handover_deadline": ""})
    assert response.status_code == 400 and "请填写移交期限" in response.content.decode()
    assert not ExitRecord.objects.exists()


def test_exit_page_passes_the_new_enterprise_as_a_row(client, county_user, estates):
    newcomer = estates["wanan_1"].enterprise
    response = login(client, county_user).post("/enterprises/exits/", {
        "estate": estates["haiyang_1"].pk, **_data(), "new_manager_name": "", "new_enterprise": newcomer.pk})
    assert response.status_code == 302 and ExitRecord.objects.get().new_enterprise == newcomer
    ExitRecord.objects.all().delete()
    response = client.post("/enterprises/exits/", {"estate": estates["haiyang_1"].pk, **_data(), "new_enterprise": "99999"})
    assert response.status_code == 400 and "新物业服务企业无效" in response.content.decode()


def test_litigation_page(client, county_user, estates):
    record = services.exit_open(user=county_user, estate_id=estates["haiyang_1"].pk, **_exit())
    login(client, county_user)
    url = f"/enterprises/exits/{record.pk}/litigation/"
    response = client.post(url, {"court": "休宁县人民法院", "case_number": "（2025）1号", "stage": "appeal?"})
    assert response.status_code == 400 and "诉讼阶段" in response.content.decode()
    response = client.post(url, {"court": "休宁县人民法院", "case_number": "", "stage": "filed"})
    assert response.status_code == 400 and "案号" in response.content.decode()
    response = client.post(url, {"court": "休宁县人民法院", "case_number": "（2025）1号", "stage": "filed", "outcome": "已立案"})
    assert response.status_code == 302 and record.litigation.get().outcome == "已立案"


def test_regrade_page_parses_the_fee(client, county_user, estates):
    from datetime import date
    from decimal import Decimal

    from tests.rectification.factories import rectifying_case

    estate = estates["haiyang_1"]
    rectifying_case(estate, deadline=date(2020, 1, 1))
    form = {"estate": estate.pk, "to_level": "4", "fee_before": "1.2", "fee_after": "八毛",
            "decision_number": "休发改价〔2025〕3号", "effective_on": "2025-12-01", "reason": "拒不整改"}
    url = f"/enterprises/{estate.enterprise_id}/regrade/"
    response = login(client, county_user).post(url, form)
    assert response.status_code == 400 and "核定后收费标准须为数字" in response.content.decode()
    response = client.post(url, {**form, "fee_after": ""})
    assert response.status_code == 400 and "请填写核定后收费标准" in response.content.decode()
    response = client.post(url, {**form, "fee_after": "0.805"})
    assert response.status_code == 302
    change = ServiceLevelChange.objects.get()
    assert (change.fee_before, change.fee_after, change.effective_on) == (Decimal("1.20"), Decimal("0.80"), date(2025, 12, 1))
