from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import jobs
from core.models import ImportJob
from inspections import services
from inspections.models import Visit, VisitLine, VisitStatus
from rectification.models import Case
from tests.conftest import login
from tests.factories import EstateFactory
from tests.rectification.factories import fake_png, png

from .factories import all_pass, category, make_round, record_visit
from .test_ledger_import import good_rows, sheet

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_round_list_works_and_its_query_count_does_not_grow(client, county_user, tree):
    login(client, county_user)
    EstateFactory(community=tree["xiuyang"])
    for i in range(5):
        make_round(county_user, tree["county"], name=f"轮次{i}")
    few = count_queries(client, reverse("inspections:round-list"))
    for i in range(45):
        make_round(county_user, tree["haiyang"], name=f"镇轮次{i}")
    response = client.get(reverse("inspections:round-list") + "?page_size=50")
    assert response.content.decode().count('data-testid="round-row"') == 50
    assert count_queries(client, reverse("inspections:round-list") + "?page_size=50") == few


def test_round_list_shows_coverage_within_the_users_scope(client, county_user, town_user, tree):
    estate = EstateFactory(community=tree["xiuyang"])
    EstateFactory(community=tree["wanan_community"])
    round = make_round(county_user, tree["county"])
    record_visit(county_user, round, estate)
    body = login(client, county_user).get(reverse("inspections:round-list")).content.decode()
    assert "2 / 1" in body and "50%" in body
    body = login(client, town_user).get(reverse("inspections:round-list")).content.decode()
    assert "1 / 1" in body and "100%" in body


def test_round_create_page(client, county_user, community_user, tree):
    login(client, county_user)
    today = timezone.localdate()
    data = {"name": "全县第一轮", "region": tree["county"].pk, "start_date": today, "end_date": today + timedelta(days=30)}
    response = client.post(reverse("inspections:round-create"), data)
    assert response.status_code == 302
    bad = client.post(reverse("inspections:round-create"), {**data, "end_date": today - timedelta(days=1)})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()
    login(client, community_user)
    assert client.get(reverse("inspections:round-create")).status_code == 403


def test_round_detail_shows_coverage_missing_estates_and_self_checks(client, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    record_visit(county_user, round, estates["haiyang_1"])
    body = login(client, county_user).get(reverse("inspections:round-detail", args=[round.pk])).content.decode()
    assert "1 / 3（33%）" in body
    assert "城北佳苑" in body and "横江苑" in body
    assert "未自查 2 家" in body


def test_round_detail_validates_ownership(client, county_user, other_town_user, tree):
    round = make_round(county_user, tree["haiyang"])
    login(client, other_town_user)
    assert client.get(reverse("inspections:round-detail", args=[round.pk])).status_code == 404
    assert client.get(reverse("inspections:visit-new", args=[round.pk])).status_code == 404
    assert client.get(reverse("inspections:checklist-edit", args=[round.pk])).status_code == 404


def test_checklist_page_edits_and_refuses_empty_labels(client, county_user, tree):
    round = make_round(county_user, tree["county"])
    login(client, county_user)
    items = list(round.items.all())
    data = {f"label_{i.pk}": i.label for i in items} | {f"active_{i.pk}": "on" for i in items}
    a1 = round.items.get(category__code="A1")
    data[f"label_{a1.pk}"] = "合同服务落实"
    del data[f"active_{a1.pk}"]
    assert client.post(reverse("inspections:checklist-edit", args=[round.pk]), data).status_code == 302
    a1.refresh_from_db()
    assert (a1.label, a1.is_active) == ("合同服务落实", False)
    data[f"label_{a1.pk}"] = ""
    response = client.post(reverse("inspections:checklist-edit", args=[round.pk]), data)
    assert response.status_code == 400 and "检查内容不能为空" in response.content.decode()


def visit_post(round, **overrides):
    data = {"visited_on": timezone.localdate().isoformat(), "inspectors": "王芳", "action": "submit"}
    for key, value in all_pass(round).items():
        data[f"result_{key}"] = value["result"]
    data.update(overrides)
    return data


def test_visit_page_records_a_visit_with_a_failure_and_a_photo(client, community_user, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    login(client, community_user)
    url = reverse("inspections:visit-new", args=[round.pk]) + f"?estate={estates['haiyang_1'].pk}"
    page = client.get(url)
    assert page.status_code == 200 and "合格" in page.content.decode() and "保存草稿" in page.content.decode()
    a3 = category("A3").pk
    data = visit_post(round, **{f"result_{a3}": "fail", f"note_{a3}": "消防通道堵塞", f"photos_{a3}": png()})
    response = client.post(url, data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:visit-detail", args=[visit.pk])
    assert visit.status == VisitStatus.SUBMITTED
    line = visit.lines.get(category_id=a3)
    assert line.case.source == "inspection" and line.photos.count() == 1
    assert list(visit.cases) == [line.case]
    detail = client.get(response["Location"]).content.decode()
    assert line.case.number in detail and "消防通道堵塞" in detail
    photo = line.photos.get()
    assert client.get(reverse("inspections:photo", args=[photo.pk])).status_code == 200


def test_incomplete_submission_is_kept_as_a_draft_with_a_chinese_message(client, community_user, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    login(client, community_user)
    url = reverse("inspections:visit-new", args=[round.pk]) + f"?estate={estates['haiyang_1'].pk}"
    a1 = category("A1").pk
    response = client.post(url, {"action": "submit", f"result_{a1}": "fail", f"note_{a1}": "保洁不到位"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "未能提交" in body and "未填写检查结果" in body and "已保存为草稿" in body
    visit = Visit.objects.get()
    assert visit.status == VisitStatus.DRAFT and Case.objects.count() == 0
    assert visit.lines.get(category_id=a1).note == "保洁不到位"
    assert f'action="{reverse("inspections:visit-edit", args=[visit.pk])}"' in body, "the next post edits the draft"

    # finish it later
    edit = reverse("inspections:visit-edit", args=[visit.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, visit_post(round, **{f"result_{a1}": "fail", f"note_{a1}": "保洁不到位"}))
    assert response.status_code == 302
    assert Case.objects.get().description == "保洁不到位"
    # a submitted visit's edit page sends to the detail page
    assert client.get(edit).status_code == 302


def test_visit_page_bad_input_is_a_4xx_never_a_500(client, community_user, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    login(client, community_user)
    url = reverse("inspections:visit-new", args=[round.pk])
    response = client.post(url, {"estate": "abc", "action": "draft"})
    assert response.status_code == 404
    response = client.post(url, {"estate": estates["haiyang_1"].pk, "visited_on": "2026-02-30", "action": "draft"})
    assert response.status_code == 400 and "格式不正确" in response.content.decode()
    a1 = category("A1").pk
    response = client.post(url, {"estate": estates["haiyang_1"].pk, f"photos_{a1}": fake_png(), "action": "draft"})
    assert response.status_code == 400 and "不是允许的类型" in response.content.decode()
    response = client.post(url, {"estate": estates["wanan_1"].pk, "action": "draft"})
    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_visit_detail_and_photo_validate_ownership(client, community_user, county_user, other_town_user, tree, estates):
    round = make_round(county_user, tree["county"])
    visit = services.visit_save(
        user=community_user, round_id=round.pk, estate_id=estates["haiyang_1"].pk,
        lines={category("A1").pk: {"result": "fail", "note": "x"}}, photos={category("A1").pk: [png()]},
    )
    photo = VisitLine.objects.get(visit=visit, category__code="A1").photos.get()
    login(client, other_town_user)
    assert client.get(reverse("inspections:visit-detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("inspections:visit-edit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("inspections:photo", args=[photo.pk])).status_code == 404


def test_visit_list_query_count_does_not_grow_and_is_scoped(client, county_user, other_town_user, tree):
    round = make_round(county_user, tree["county"])
    for _ in range(5):
        record_visit(county_user, round, EstateFactory(community=tree["xiuyang"]), failures={"A1": "问题"})
    login(client, county_user)
    few = count_queries(client, reverse("inspections:visit-list"))
    for _ in range(45):
        record_visit(county_user, round, EstateFactory(community=tree["xiuyang"]))
    response = client.get(reverse("inspections:visit-list") + "?page_size=50")
    assert response.content.decode().count('data-testid="visit-row"') == 50
    assert count_queries(client, reverse("inspections:visit-list") + "?page_size=50") == few
    login(client, other_town_user)
    assert "没有符合条件的排查记录" in client.get(reverse("inspections:visit-list")).content.decode()


def test_ledger_export_one_row_per_failure_with_totals(client, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    record_visit(county_user, round, estates["haiyang_1"], failures={"A1": "=cmd|' /C calc'!A0", "B2": "电梯广告"})
    record_visit(county_user, round, estates["haiyang_2"], failures={"A1": "保洁差"})
    record_visit(county_user, round, estates["wanan_1"], submit=False, failures={"A1": "草稿不导出"})
    response = login(client, county_user).get(reverse("inspections:visit-list") + f"?round={round.pk}&export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    ledger = list(workbook["排查台账"].iter_rows(values_only=True))
    assert ledger[0][:4] == ("序号", "所属镇/街道", "社区", "小区")
    assert len(ledger) == 1 + 3
    descriptions = {row[10] for row in ledger[1:]}
    assert descriptions == {"=cmd|' /C calc'!A0", "电梯广告", "保洁差"}
    cell = next(c for c in workbook["排查台账"]["K"] if c.value == "=cmd|' /C calc'!A0")
    assert cell.data_type == "s", "user text never becomes a formula"
    totals = list(workbook["分类汇总"].iter_rows(values_only=True))
    by_label = {row[1]: row[2] for row in totals[1:]}
    assert by_label["未按照合同约定提供服务"] == 2 and by_label["擅自利用小区公共部位经营"] == 1
    assert totals[-1][0] == "合计" and totals[-1][2] == 3 and totals[-1][3] == 2


def test_import_page_previews_then_imports_once(client, county_user, tree):
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    EstateFactory(name="城北佳苑", community=tree["chengbei"])
    round = make_round(county_user, tree["haiyang"])
    login(client, county_user)
    url = reverse("inspections:ledger-import", args=[round.pk])
    assert client.get(url).status_code == 200
    content = sheet(good_rows())

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("台账.xlsx", content)

    preview = client.post(url, {"file": upload()})
    body = preview.content.decode()
    assert preview.status_code == 200 and "将新增 3 条" in body
    assert Visit.objects.count() == 0
    token = preview.context["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302 and Visit.objects.filter(is_imported=True).count() == 2
    assert client.post(url, {"token": token}).status_code == 400, "a token is used once"
    again = client.post(url, {"file": upload()})
    assert "将新增 0 条" in again.content.decode()

    bad = client.post(url, {"file": SimpleUploadedFileCSV()})
    assert bad.status_code == 400 and "不是 Excel" in bad.content.decode()
    assert client.post(url, {"token": "../../etc/passwd"}).status_code == 400


def SimpleUploadedFileCSV():  # noqa: N802
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.csv", "小区名称,问题类别\n".encode())


def test_import_page_lists_row_errors(client, county_user, tree):
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    round = make_round(county_user, tree["haiyang"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [[1, "无此小区", "", timezone.localdate(), "王芳", "A1", "问题", "", "", ""]]
    response = login(client, county_user).post(
        reverse("inspections:ledger-import", args=[round.pk]), {"file": SimpleUploadedFile("a.xlsx", sheet(rows))}
    )
    assert response.status_code == 400
    assert "第 3 行：小区“无此小区”不在本轮排查范围" in response.content.decode()
    assert Visit.objects.count() == 0


def test_self_check_page_for_an_enterprise(client, enterprise_user, county_user, tree, estates):
    round = make_round(county_user, tree["county"])
    login(client, enterprise_user)
    body = client.get(reverse("inspections:self-check")).content.decode()
    assert "海阳花园" in body and "城北佳苑" in body and "横江苑" not in body
    url = reverse("inspections:visit-new", args=[round.pk]) + f"?estate={estates['haiyang_1'].pk}"
    b3 = category("B3").pk
    response = client.post(url, visit_post(round, **{f"result_{b3}": "fail", f"note_{b3}": "收支未公示"}))
    assert response.status_code == 302
    assert Case.objects.get().source == "self_check"
    assert Visit.objects.get().kind == "self_check"


def test_spot_check_pages(client, county_user, town_user, tree):
    for _ in range(6):
        EstateFactory(community=tree["xiuyang"])
    login(client, county_user)
    response = client.post(reverse("inspections:draw-create"), {
        "region": tree["haiyang"].pk, "sample_size": 3, "seed": 12345, "exclude_recent": "on",
    })
    assert response.status_code == 302
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "12345" in body and "录入抽查结果" in body and body.count('data-testid="selected-row"') == 3
    draw = detail.context["draw"]
    estate = detail.context["selected"][0].estate
    url = reverse("inspections:spot-visit-new", args=[draw.pk]) + f"?estate={estate.pk}"
    assert client.get(url).status_code == 200
    assert client.get(reverse("inspections:draw-list")).status_code == 200
    bad = client.post(reverse("inspections:draw-create"), {"region": tree["haiyang"].pk, "sample_size": 0})
    assert bad.status_code == 400
    login(client, town_user)
    assert client.get(reverse("inspections:draw-create")).status_code == 403
    assert client.get(url).status_code == 404, "a town does not learn which estates were drawn"
    assert client.get(reverse("inspections:draw-detail", args=[draw.pk])).status_code == 404


def test_spot_check_pages_validate_ownership(client, county_user, other_town_user, tree):
    EstateFactory(community=tree["xiuyang"])
    draw = services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=1, seed=1)
    estate = draw.candidates.get(position=1).estate
    login(client, other_town_user)
    assert client.get(reverse("inspections:draw-detail", args=[draw.pk])).status_code == 404
    url = reverse("inspections:spot-visit-new", args=[draw.pk]) + f"?estate={estate.pk}"
    assert client.get(url).status_code in (403, 404)
    round = make_round(county_user, tree["haiyang"])
    assert client.get(reverse("inspections:ledger-import", args=[round.pk])).status_code == 404


def test_import_template_downloads(client, county_user):
    response = login(client, county_user).get(reverse("inspections:ledger-template"))
    workbook = load_workbook(BytesIO(response.content))
    assert next(workbook.active.iter_rows(values_only=True))[:3] == ("小区名称", "社区", "排查日期")


def test_round_detail_query_count_does_not_grow_with_estates(client, county_user, tree):
    round = make_round(county_user, tree["county"])
    for _ in range(5):
        record_visit(county_user, round, EstateFactory(community=tree["xiuyang"]))
    login(client, county_user)
    url = reverse("inspections:round-detail", args=[round.pk])
    few = count_queries(client, url)
    for i in range(45):
        estate = EstateFactory(community=tree["chengbei" if i % 2 else "wanan_community"])
        if i % 3:
            record_visit(county_user, round, estate)
    assert count_queries(client, url) == few


def test_draw_list_query_count_does_not_grow(client, county_user, tree):
    for _ in range(3):
        EstateFactory(community=tree["xiuyang"])
    for seed in range(5):
        services.spot_check_draw(user=county_user, region_id=tree["haiyang"].pk, sample_size=2, seed=seed)
    login(client, county_user)
    url = reverse("inspections:draw-list") + "?page_size=50"
    few = count_queries(client, url)
    for seed in range(45):
        services.spot_check_draw(user=county_user, region_id=tree["county"].pk, sample_size=2, seed=seed)
    assert client.get(url).content.decode().count('data-testid="draw-row"') == 50
    assert count_queries(client, url) == few


def test_checklist_page_is_for_the_round_owner(client, county_user, town_user, tree):
    round = make_round(county_user, tree["county"])
    login(client, town_user)
    assert client.get(reverse("inspections:checklist-edit", args=[round.pk])).status_code == 403
    assert client.post(reverse("inspections:checklist-edit", args=[round.pk]), {}).status_code == 403


@pytest.mark.parametrize("url", [
    "/inspections/visits/?round=abc&visited_from=xx&town=zz&page=-1",
    "/inspections/visits/?round=abc&visited_from=xx&export=xlsx",
    "/inspections/rounds/999999/",
    "/inspections/visits/999999/",
    "/inspections/spot-checks/999999/",
    "/inspections/photos/999999/",
    "/inspections/?page=abc&page_size=-5",
])
def test_garbage_input_is_never_a_500(client, county_user, url):
    response = login(client, county_user).get(url)
    assert response.status_code in (200, 400, 404)


def test_discipline_sees_a_visit_but_not_the_ordinary_cases_opened_from_it(client, api_client, county_user,
                                                                          discipline_user, tree, estates):
    """Discipline inspection sees only corruption-clue cases: a visit's page, its API and the ledger
    export show it no number, state or link of any other case."""
    round = make_round(county_user, tree["county"])
    visit = record_visit(county_user, round, estates["haiyang_1"], failures={"A1": "保洁差"})
    case = VisitLine.objects.get(visit=visit, case__isnull=False).case
    login(client, discipline_user)
    body = client.get(reverse("inspections:visit-detail", args=[visit.pk])).content.decode()
    assert "保洁差" in body and case.number not in body
    response = client.get(reverse("inspections:visit-list") + "?export=xlsx")
    ledger = list(load_workbook(BytesIO(response.content))["排查台账"].iter_rows(values_only=True))
    assert len(ledger) == 2 and case.number not in ledger[1] and ledger[1][10] == "保洁差"
    api_client.force_authenticate(discipline_user)
    line = next(li for li in api_client.get(f"/api/v1/visits/{visit.pk}/").json()["lines"] if li["note"] == "保洁差")
    assert line["case"] is None and line["case_number"] is None
    Case.objects.filter(pk=case.pk).update(is_corruption_clue=True)
    assert case.number in client.get(reverse("inspections:visit-detail", args=[visit.pk])).content.decode()


def _preview_table(response) -> str:
    body = response.content.decode()
    return body[body.index("<table"):body.index("</table>")]


def test_a_large_ledger_is_previewed_and_imported_by_jobs(client, county_user, other_town_user, tree, settings,
                                                          django_capture_on_commit_callbacks):
    EstateFactory(name="海阳花园", community=tree["xiuyang"])
    EstateFactory(name="城北佳苑", community=tree["chengbei"])
    round = make_round(county_user, tree["haiyang"])
    url = reverse("inspections:ledger-import", args=[round.pk])
    login(client, county_user)
    content = sheet(good_rows())
    synchronous = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", content)})
    settings.IMPORT_BACKGROUND_BYTES = 100
    with django_capture_on_commit_callbacks():
        response = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", content)})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    jobs.job_run(job.pk)
    assert ImportJob.objects.get(pk=job.pk).rows_done == 3
    page = client.get(f"/jobs/{job.pk}/", follow=True)
    assert page.redirect_chain == [(f"{url}?job={job.pk}", 302)]
    assert _preview_table(page) == _preview_table(synchronous) and "将新增 3 条" in page.content.decode()
    assert login(Client(), other_town_user).get(f"/jobs/{job.pk}/").status_code == 404

    with django_capture_on_commit_callbacks():
        response = client.post(url, {"token": page.context["token"]})
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{second.pk}/" and Visit.objects.count() == 0
    jobs.job_run(second.pk)
    assert Visit.objects.filter(is_imported=True).count() == 2
    page = client.get(f"/jobs/{second.pk}/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("inspections:round-detail", args=[round.pk])
    assert "导入完成：新增 3 条排查问题，跳过已导入 0 条。" in page.content.decode()
