"""Every download of a stored file goes through core.files.serve_private: the same scope check,
the same headers, and X-Accel-Redirect when nginx serves the store."""


from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile

from core.files import check_content, private_storage
from inspections import services as inspection_services
from rectification.services import supervision_record
from reporting.models import StoredReport
from tests.complaints.factories import complaint, jpg
from tests.conftest import login
from tests.inspections.factories import category, make_round
from tests.public_revenue.factories import add_disclosure, add_income
from tests.rectification.factories import PDF, PNG, add_evidence, pdf, png, rectifying_case

from .test_files import _upload

XLSX = b"PK\x03\x04 a workbook"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evidence(ctx):
    attachment = add_evidence(rectifying_case(ctx["estates"]["haiyang_1"]), ctx["county_user"])
    return f"/rectification/attachments/{attachment.pk}/", "image/png", "inline", PNG


def _supervision(field):
    def build(ctx):
        action = supervision_record(
            case_id=rectifying_case(ctx["estates"]["haiyang_1"]).pk, user=ctx["county_user"], kind="transfer",
            transfer_target="police",
            minutes_file=_upload("约谈记录.pdf", PDF, "application/pdf"),
            receipt_file=_upload("移送回执.pdf", PDF, "application/pdf"),
        )
        return f"/rectification/supervisions/{action.pk}/{field}/", "application/pdf", "attachment", PDF

    return build


def _visit_photo(ctx):
    round = make_round(ctx["county_user"], ctx["tree"]["county"])
    visit = inspection_services.visit_save(
        user=ctx["community_user"], round_id=round.pk, estate_id=ctx["estates"]["haiyang_1"].pk,
        lines={category("A1").pk: {"result": "fail", "note": "x"}}, photos={category("A1").pk: [png()]},
    )
    photo = visit.lines.get(category__code="A1").photos.get()
    # uploads are rebuilt by Pillow (no metadata, nothing appended): the stored bytes are the rebuilt image
    return f"/inspections/photos/{photo.pk}/", "image/png", "inline", check_content(PNG)[0]


def _complaint_photo(ctx):
    photo = complaint(ctx["estates"]["haiyang_1"], files=[jpg()]).attachments.get()
    return f"/complaints/attachments/{photo.pk}/", "image/jpeg", "inline", None


def _voucher(ctx):
    entry = add_income(ctx["enterprise_user"], ctx["estates"]["haiyang_1"], voucher=pdf("收据.pdf"))
    return f"/revenue/entries/{entry.pk}/voucher/", "application/pdf", "attachment", PDF


def _disclosure_photo(ctx):
    disclosure = add_disclosure(ctx["enterprise_user"], ctx["estates"]["haiyang_1"])
    return f"/revenue/disclosures/{disclosure.pk}/photo/", "image/png", "inline", None


def _stored_report(ctx):
    report = StoredReport.objects.create(
        region=ctx["tree"]["county"], period="2026-11", version=1, status="ready", size=len(XLSX),
        file=ContentFile(XLSX, name="月报.xlsx"),
    )
    return f"/reporting/reports/{report.pk}/download/", XLSX_TYPE, "attachment", XLSX


def _stored_report_api(ctx):
    url, *rest = _stored_report(ctx)
    return (url.replace("/reporting/reports/", "/api/v1/reports/"), *rest)


#: (page, who may fetch it, who may not: a user of another town or one without the right)
DOWNLOADS = {
    "case_evidence": (_evidence, "town_user", "other_town_user"),
    "supervision_minutes": (_supervision("minutes"), "town_user", "other_town_user"),
    "supervision_receipt": (_supervision("receipt"), "town_user", "other_town_user"),
    "visit_photo": (_visit_photo, "town_user", "other_town_user"),
    "complaint_photo": (_complaint_photo, "town_user", "other_town_user"),
    "revenue_voucher": (_voucher, "town_user", "other_town_user"),
    "disclosure_photo": (_disclosure_photo, "town_user", "other_town_user"),
    "stored_report": (_stored_report, "county_user", "town_user"),
    "stored_report_api": (_stored_report_api, "county_user", "town_user"),
}


@pytest.fixture
def ctx(tree, estates, county_user, community_user, enterprise_user):
    return {"tree": tree, "estates": estates, "county_user": county_user, "community_user": community_user,
            "enterprise_user": enterprise_user}


@pytest.mark.parametrize("name", DOWNLOADS)
def test_every_download(name, ctx, client, request):
    build, permitted, outsider = DOWNLOADS[name]
    url, content_type, disposition, body = build(ctx)

    response = login(client, request.getfixturevalue(permitted)).get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    content = b"".join(response.streaming_content)
    assert content == body if body is not None else content

    assert login(client, request.getfixturevalue(outsider)).get(url).status_code == 404, url
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 401, 403), url
    assert anonymous.status_code != 302 or anonymous["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", DOWNLOADS)
def test_every_download_hands_over_to_nginx(name, ctx, client, request, settings):
    build, permitted, outsider = DOWNLOADS[name]
    url, content_type, disposition, _body = build(ctx)
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"

    response = login(client, request.getfixturevalue(permitted)).get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"].startswith("/_private/")
    assert private_storage.exists(unquote(response["X-Accel-Redirect"].removeprefix("/_private/")))
    assert response["Content-Type"] == content_type and response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(client, request.getfixturevalue(outsider)).get(url).status_code == 404


def test_a_utf8_name_is_sent_the_rfc_5987_way(ctx, client):
    entry = add_income(ctx["enterprise_user"], ctx["estates"]["haiyang_1"], voucher=pdf("收据 9月.pdf"))
    response = login(client, ctx["county_user"]).get(f"/revenue/entries/{entry.pk}/voucher/")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%94%B6%E6%8D%AE%209%E6%9C%88.pdf"


def test_a_file_missing_on_disk_is_404(ctx, client, town_user, settings):
    attachment = add_evidence(rectifying_case(ctx["estates"]["haiyang_1"]))
    private_storage.delete(attachment.file.name)
    login(client, town_user)
    assert client.get(f"/rectification/attachments/{attachment.pk}/").status_code == 404
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    assert client.get(f"/rectification/attachments/{attachment.pk}/").status_code == 404


def test_public_notice_photo_goes_through_the_same_door(ctx, client):
    disclosure = add_disclosure(ctx["enterprise_user"], ctx["estates"]["haiyang_1"])
    response = client.get(f"/revenue/public/disclosures/{disclosure.pk}/photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
