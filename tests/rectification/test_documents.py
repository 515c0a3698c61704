"""Printable documents (文书): a 督办函 with the next number of the county's sequence, stored on the
case's timeline, readable back as .docx; county templates; scope and capability."""

import io
import subprocess
import zipfile
from datetime import date

import pytest
from django.utils import timezone
from docx import Document

from core.errors import InvalidState, MissingField, NotFound, PermissionDenied
from rectification.documents import case_document_issue, document_number_allocate, document_template_save
from rectification.models import CaseAttachment, CaseDocument, CaseEvent, DocumentKind, DocumentSequence
from rectification.services import case_transition, supervision_record
from tests.conftest import login
from tests.rectification.factories import CaseFactory, rectifying_case

pytestmark = pytest.mark.django_db


def docx_text(document: CaseDocument) -> str:
    with document.attachment.file.open("rb") as handle:
        data = handle.read()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    doc = Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_supervision_letter_takes_the_next_number(estates, county_user, tree):
    case = rectifying_case(estates["haiyang_1"], deadline=date(2099, 3, 1))
    supervision_record(case_id=case.pk, user=county_user, kind="listed_supervision", level="county",
                       deadline=date(2099, 1, 31))
    year = timezone.localdate().year
    DocumentSequence.objects.create(county=tree["county"], kind=DocumentKind.SUPERVISION_LETTER, year=year,
                                    last_number=11)

    document = case_document_issue(case_id=case.pk, user=county_user, kind="supervision_letter")

    assert document.number == f"休物整督〔{year}〕12号"
    assert document.serial == 12
    text = docx_text(document)
    assert "休宁县住房和城乡建设局" in text
    assert f"休物整督〔{year}〕12号" in text
    assert "督办函" in text and "海阳花园" in text and "挂牌督办" in text
    assert "2099年1月31日" in text  # the supervision's own deadline, not the case's
    event = CaseEvent.objects.get(case=case, kind="document")
    assert event.label == "出具督办函" and event.note == document.number
    assert list(CaseAttachment.objects.filter(event=event)) == [document.attachment]
    assert document.attachment.original_name.endswith(".docx")

    second = case_document_issue(case_id=case.pk, user=county_user, kind="supervision_letter")
    assert second.number == f"休物整督〔{year}〕13号"
    # each kind has its own sequence
    notice = case_document_issue(case_id=case.pk, user=county_user, kind="rectification_notice")
    assert notice.number == f"休物整通〔{year}〕1号"


def test_the_file_opens_as_a_word_document(estates, county_user, tmp_path):
    case = rectifying_case(estates["haiyang_1"])
    document = case_document_issue(case_id=case.pk, user=county_user, kind="correction_order")
    path = tmp_path / "doc.docx"
    with document.attachment.file.open("rb") as handle:
        path.write_bytes(handle.read())
    unzip = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    if unzip.returncode != 127:  # unzip installed
        assert "No errors detected" in unzip.stdout
    assert "责令限期改正通知书" in docx_text(document)


def test_a_county_template_changes_wording_and_prefix(estates, county_user):
    document_template_save(
        user=county_user, kind="interview_notice", issuing_unit="休宁县物业服务专项整治工作专班",
        number_prefix="休专约", title="关于约谈{物业服务企业}的通知", addressee="{物业服务企业}",
        body="定于{约谈时间}约谈你单位。{未知}", closing="", copy_to="县纪委监委",
    )
    case = rectifying_case(estates["haiyang_1"])
    supervision_record(case_id=case.pk, user=county_user, kind="interview", occurred_on=date(2099, 2, 3),
                       participants="企业负责人", outcome="约谈企业负责人")
    document = case_document_issue(case_id=case.pk, user=county_user, kind="interview_notice")
    assert document.number.startswith("休专约〔")
    text = docx_text(document)
    assert "休宁县物业服务专项整治工作专班" in text
    assert "关于约谈海阳物业公司的通知" in text
    assert "定于2099年2月3日约谈你单位。{未知}" in text
    assert "抄送：县纪委监委" in text


def test_refusals(estates, county_user, town_user, other_town_user):
    case = CaseFactory(estate=estates["haiyang_1"])
    with pytest.raises(MissingField, match="完成时限"):
        case_document_issue(case_id=case.pk, user=county_user, kind="rectification_notice")
    closed = CaseFactory(estate=estates["haiyang_1"], state="closed")
    with pytest.raises(InvalidState, match="已销号"):
        case_document_issue(case_id=closed.pk, user=county_user, kind="rectification_notice")
    late = rectifying_case(estates["haiyang_2"], deadline=date(2020, 1, 1))
    with pytest.raises(InvalidState, match="已过"):
        case_document_issue(case_id=late.pk, user=county_user, kind="supervision_letter")
    with pytest.raises(PermissionDenied):
        case_document_issue(case_id=case.pk, user=town_user, kind="interview_notice")
    other = rectifying_case(estates["tunxi_1"])
    with pytest.raises(NotFound):
        case_document_issue(case_id=other.pk, user=county_user, kind="rectification_notice")
    with pytest.raises(PermissionDenied):
        document_template_save(user=town_user, kind="interview_notice", issuing_unit="x", number_prefix="x",
                               title="x", addressee="x", body="x")
    assert not CaseDocument.objects.exists()
    # a refused document takes no number
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_allocation_counts_on(tree):
    numbers = [document_number_allocate(county=tree["county"], kind="rectification_notice", year=2026)
               for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert document_number_allocate(county=tree["county"], kind="rectification_notice", year=2027) == 1
    assert document_number_allocate(county=tree["district"], kind="rectification_notice", year=2026) == 1


def test_case_page_buttons_and_download(client, estates, county_user, town_user):
    case = rectifying_case(estates["haiyang_1"])
    page = login(client, town_user).get(f"/rectification/cases/{case.pk}/")
    assert page.status_code == 200 and 'data-testid="documents"' not in page.content.decode()
    assert client.post(f"/rectification/cases/{case.pk}/documents/rectification_notice/").status_code == 403

    login(client, county_user)
    page = client.get(f"/rectification/cases/{case.pk}/")
    assert 'data-testid="issue-supervision_letter"' in page.content.decode()
    response = client.post(f"/rectification/cases/{case.pk}/documents/rectification_notice/", follow=True)
    assert response.status_code == 200
    document = CaseDocument.objects.get(case=case)
    assert document.number in response.content.decode()
    download = client.get(f"/rectification/attachments/{document.attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in download["Content-Disposition"]

    missing = client.post(f"/rectification/cases/{CaseFactory(estate=estates['haiyang_1']).pk}/documents/supervision_letter/")
    assert missing.status_code == 400 and "完成时限" in missing.content.decode()
    other = rectifying_case(estates["tunxi_1"])
    assert client.post(f"/rectification/cases/{other.pk}/documents/rectification_notice/").status_code == 404


def test_template_pages(client, estates, county_user, town_user, django_assert_max_num_queries):
    login(client, county_user)
    with django_assert_max_num_queries(8):
        page = client.get("/rectification/documents/templates/")
    assert page.status_code == 200 and "休物整通" in page.content.decode()
    form = client.get("/rectification/documents/templates/supervision_letter/")
    assert form.status_code == 200 and "休宁县住房和城乡建设局" in form.content.decode()
    bad = client.post("/rectification/documents/templates/supervision_letter/", {
        "issuing_unit": "休宁县住房和城乡建设局", "number_prefix": "休/督", "title": "督办函", "addressee": "x", "body": "x"})
    assert bad.status_code == 400 and "文号前缀" in bad.content.decode()
    ok = client.post("/rectification/documents/templates/supervision_letter/", {
        "issuing_unit": "休宁县住房和城乡建设局", "number_prefix": "休建督", "title": "督办函", "addressee": "{责任单位}",
        "body": "请于{完成时限}前整改。"})
    assert ok.status_code == 302
    with django_assert_max_num_queries(8):  # the county's own rows in one query, whatever their number
        assert "休建督" in client.get("/rectification/documents/templates/").content.decode()
    login(client, town_user)
    assert client.get("/rectification/documents/templates/").status_code == 403


def test_a_generated_document_is_not_rectification_evidence(estates, county_user):
    case = rectifying_case(estates["haiyang_1"])
    case_document_issue(case_id=case.pk, user=county_user, kind="rectification_notice")
    with pytest.raises(MissingField, match="佐证材料"):
        case_transition(case_id=case.pk, user=county_user, transition="request_closure", note="已整改")


def test_the_api_issues_with_the_same_service(api_client, estates, county_user, town_user):
    case = rectifying_case(estates["haiyang_1"])
    api_client.force_authenticate(town_user)
    assert api_client.post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "supervision_letter"}).status_code == 403
    api_client.force_authenticate(county_user)
    bad = api_client.post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "letter"})
    assert bad.status_code == 400 and "文书类型无效" in bad.json()["detail"]
    answer = api_client.post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "supervision_letter"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["number"].startswith("休物整督〔") and answer.json()["kind_label"] == "督办函"
    other = rectifying_case(estates["tunxi_1"])
    assert api_client.post(f"/api/v1/cases/{other.pk}/documents/", {"kind": "supervision_letter"}).status_code == 404
