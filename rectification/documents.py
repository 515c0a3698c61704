"""Printable documents (文书) of a case: 整改通知书, 督办函 (挂牌督办), 约谈通知书 and 责令限期改正通知书,
generated as .docx (python-docx: plain OOXML that Word and WPS both open) with the county bureau's
header (红头), a number from the county's sequence for the kind and year (休物整通〔2026〕12号), the
case's facts and its deadline. The file is stored on the case's timeline (a CaseAttachment on a
"出具文书" event) and the number in a CaseDocument row.

The wording is each county's DocumentTemplate, or DEFAULTS; text blocks name the case's facts
with the placeholders of PLACEHOLDERS, replaced by plain substitution (never str.format, which
would let a template reach into objects)."""

import io
import re
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from accounts.capabilities import require
from accounts.models import User
from communities import regions
from communities.models import Region, RegionLevel
from core.errors import InvalidInput, InvalidState, MissingField

from .models import (
    CaseAttachment,
    CaseDocument,
    CaseEventKind,
    DocumentKind,
    DocumentSequence,
    DocumentTemplate,
    SupervisionKind,
)
from .services import _lock_case, case_event_record

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: placeholder → what it is replaced with (shown on the template page)
PLACEHOLDERS = {
    "发文单位": "文头的发文单位",
    "案件编号": "案件编号，如 ZG2026-000123",
    "小区": "小区名称",
    "所在地": "镇/街道、社区",
    "物业服务企业": "物业服务企业名称（无则为责任单位）",
    "责任单位": "整改责任单位（未填写则为物业服务企业）",
    "问题类别": "问题类别",
    "问题描述": "问题描述",
    "核查结果": "核查结果及核查情况",
    "整改措施": "整改措施",
    "完成时限": "完成时限（督办函、责令限期改正通知书取督办记录的时限，如有）",
    "约谈时间": "最近一次约谈登记的日期",
    "日期": "出具日期",
}

#: the kinds whose document sets a time limit: refused for a case without one
NEEDS_DEADLINE = frozenset({
    DocumentKind.RECTIFICATION_NOTICE, DocumentKind.SUPERVISION_LETTER, DocumentKind.CORRECTION_ORDER,
})

#: the supervision step a kind's deadline (or date) is taken from, when the case has one
_SUPERVISION_OF_KIND = {
    DocumentKind.SUPERVISION_LETTER: SupervisionKind.LISTED_SUPERVISION,
    DocumentKind.CORRECTION_ORDER: SupervisionKind.RECTIFICATION_ORDER,
    DocumentKind.INTERVIEW_NOTICE: SupervisionKind.INTERVIEW,
}

_NUMBER_SUFFIX = {
    DocumentKind.RECTIFICATION_NOTICE: "物整通",
    DocumentKind.SUPERVISION_LETTER: "物整督",
    DocumentKind.INTERVIEW_NOTICE: "物整约",
    DocumentKind.CORRECTION_ORDER: "物整改",
}


@dataclass(frozen=True)
class Wording:
    issuing_unit: str
    number_prefix: str
    title: str
    addressee: str
    body: str
    closing: str = ""
    copy_to: str = ""


DEFAULTS: dict[str, Wording] = {
    DocumentKind.RECTIFICATION_NOTICE: Wording(
        issuing_unit="{区县}住房和城乡建设局", number_prefix="", title="关于{小区}物业服务问题的整改通知书",
        addressee="{物业服务企业}",
        body=(
            "经核查，你单位服务的{小区}（{所在地}）存在以下问题：{问题描述}（问题类别：{问题类别}；核查结果：{核查结果}）。\n"
            "根据《物业管理条例》和物业服务专项整治工作要求，请你单位对上述问题立即整改。整改措施：{整改措施}。\n"
            "请于{完成时限}前完成整改，并将整改情况及佐证材料书面报送我局。逾期未整改或整改不到位的，"
            "将依法依规予以处理，并记入物业服务企业信用档案。"
        ),
        closing="特此通知。",
    ),
    DocumentKind.SUPERVISION_LETTER: Wording(
        issuing_unit="{区县}住房和城乡建设局", number_prefix="", title="关于{小区}物业服务问题的督办函",
        addressee="{责任单位}",
        body=(
            "{小区}（{所在地}）“{问题类别}”问题（案件编号 {案件编号}；核查结果：{核查结果}），群众反映强烈，整改推进缓慢。"
            "经研究，决定对该问题实行挂牌督办。\n"
            "请你单位高度重视，压实整改主体责任，于{完成时限}前整改到位，并将整改结果书面报送县物业服务专项整治工作专班。"
            "问题不解决不撤牌，整改不到位不销号。"
        ),
        closing="特此函告。",
    ),
    DocumentKind.INTERVIEW_NOTICE: Wording(
        issuing_unit="{区县}住房和城乡建设局", number_prefix="", title="约谈通知书", addressee="{物业服务企业}",
        body=(
            "你单位服务的{小区}（{所在地}）存在“{问题类别}”问题：{问题描述}（核查结果：{核查结果}），至今未整改到位。\n"
            "根据物业服务专项整治工作安排，定于{约谈时间}对你单位进行约谈。请你单位法定代表人或主要负责人准时参加，"
            "并书面汇报问题整改情况及下一步整改措施。"
        ),
        closing="特此通知。",
    ),
    DocumentKind.CORRECTION_ORDER: Wording(
        issuing_unit="{区县}住房和城乡建设局", number_prefix="", title="责令限期改正通知书", addressee="{物业服务企业}",
        body=(
            "经查，你单位在{小区}（{所在地}）物业服务中存在以下问题：{问题描述}（{问题类别}）。\n"
            "上述行为违反了《物业管理条例》等有关规定。现责令你单位于{完成时限}前改正，并将改正情况书面报告我局。\n"
            "逾期不改正的，我局将依法予以处理，并记入物业服务企业信用档案。"
        ),
    ),
}


def _county_short(county: Region) -> str:
    return county.name[:1]


def default_wording(county: Region, kind: str) -> Wording:
    base = DEFAULTS[kind]
    return Wording(
        issuing_unit=base.issuing_unit.replace("{区县}", county.name),
        number_prefix=_county_short(county) + _NUMBER_SUFFIX[kind],
        title=base.title, addressee=base.addressee, body=base.body, closing=base.closing, copy_to=base.copy_to,
    )


def wording_for(county: Region, kind: str) -> Wording:
    """The county's template of the kind, or the default wording."""
    return wording_of(DocumentTemplate.objects.filter(county=county, kind=kind).first(), county=county, kind=kind)


def wording_of(row: DocumentTemplate | None, *, county: Region, kind: str) -> Wording:
    if row is None:
        return default_wording(county, kind)
    return Wording(issuing_unit=row.issuing_unit, number_prefix=row.number_prefix, title=row.title,
                   addressee=row.addressee, body=row.body, closing=row.closing, copy_to=row.copy_to)


_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,10})\}")


def fill(text: str, facts: dict[str, str]) -> str:
    """The text with each known {placeholder} replaced; unknown braces stay as written."""
    return _PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), text or "")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}〔{year}〕{serial}号"


def case_county(case) -> Region:
    county = Region.objects.filter(path=regions.county_path(case.region_path)).first()
    if county is None:
        raise MissingField("案件所在小区不属于任何区县，不能出具文书。")
    return county


def case_facts(case, kind: str, *, county: Region, issuing_unit: str, today: date) -> tuple[dict[str, str], date | None]:
    """The placeholder values of a case for a kind of document, and the deadline it sets."""
    supervision = None
    if kind in _SUPERVISION_OF_KIND:
        supervision = (case.supervisions.filter(kind=_SUPERVISION_OF_KIND[kind], lifted_at__isnull=True)
                       .order_by("-occurred_on", "-id").first())
    # the supervision's own time limit when it has one still to come, else the case's
    candidates = [supervision.deadline if supervision is not None else None, case.deadline]
    deadline = next((d for d in candidates if d is not None and d >= today), None)
    if deadline is None:
        deadline = next((d for d in candidates if d is not None), None)
    verification = case.get_verification_result_display() or "尚在核查"
    if case.verification_note:
        verification = f"{verification}（{case.verification_note}）"
    community = case.estate.community
    enterprise = case.enterprise.name if case.enterprise_id else ""
    facts = {
        "发文单位": issuing_unit,
        "案件编号": case.number,
        "小区": case.estate.name,
        "所在地": f"{community.parent.name if community.parent_id else ''}{community.name}",
        "物业服务企业": enterprise or case.responsible_unit or "相关责任单位",
        "责任单位": case.responsible_unit or enterprise or "相关责任单位",
        "问题类别": case.category.label,
        "问题描述": case.description.strip().rstrip("。"),
        "核查结果": verification,
        "整改措施": (case.measures or "按照合同约定和有关规定落实整改").strip().rstrip("。"),
        "完成时限": chinese_date(deadline) if deadline else "",
        "约谈时间": chinese_date(supervision.occurred_on) if kind == DocumentKind.INTERVIEW_NOTICE and supervision
        else "另行通知的时间",
        "日期": chinese_date(today),
    }
    return facts, deadline


# ---------------------------------------------------------------------------------------------
# The .docx


_BODY_FONT, _TITLE_FONT, _HEADER_FONT = "仿宋", "黑体", "宋体"
_RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word and WPS pick the East Asian font from w:eastAsia, which python-docx's font.name leaves out
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, *, size: float = 16, font: str = _BODY_FONT, bold: bool = False, align=None,
               indent: bool = False, color: RGBColor | None = None, space_after: float = 0):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    """The red line under the header (版头分隔线): a bottom border of the number's paragraph."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def render_docx(wording: Wording, facts: dict[str, str], *, number: str, kind_label: str, deadline: date | None) -> bytes:
    """One document: header, number and rule, title, addressee, body, the case's facts as a
    table, closing, issuing unit and date, copy-to line."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = f"{kind_label} {number}"
    doc.core_properties.author = fill(wording.issuing_unit, facts)[:200]

    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(doc, fill(wording.issuing_unit, facts), size=26, font=_HEADER_FONT, bold=True, align=center,
               color=_RED, space_after=12)
    _red_rule(_paragraph(doc, number, align=center, space_after=18))
    _paragraph(doc, fill(wording.title, facts), size=22, font=_TITLE_FONT, align=center, space_after=12)
    _paragraph(doc, fill(wording.addressee, facts).rstrip("：:") + "：")
    for line in fill(wording.body, facts).splitlines():
        if line.strip():
            _paragraph(doc, line.strip(), indent=True)

    rows = [("案件编号", facts["案件编号"]), ("小区", f"{facts['小区']}（{facts['所在地']}）"),
            ("物业服务企业", facts["物业服务企业"]), ("问题类别", facts["问题类别"]),
            ("问题描述", facts["问题描述"]), ("核查结果", facts["核查结果"])]
    if deadline:
        rows.append(("完成时限", facts["完成时限"]))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(3.5), Cm(12)
        _font(cells[0].paragraphs[0].add_run(label), _BODY_FONT, 12, bold=True)
        _font(cells[1].paragraphs[0].add_run(value), _BODY_FONT, 12)

    if wording.closing.strip():
        for line in fill(wording.closing, facts).splitlines():
            if line.strip():
                _paragraph(doc, line.strip(), indent=True)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, "")
    _paragraph(doc, fill(wording.issuing_unit, facts), align=right)
    _paragraph(doc, facts["日期"], align=right)
    if wording.copy_to.strip():
        _paragraph(doc, "")
        _paragraph(doc, "抄送：" + fill(wording.copy_to, facts), size=14)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Numbers and the service


def document_number_allocate(*, county: Region, kind: str, year: int) -> int:
    """The next serial of the county's sequence for the kind and year, inside the caller's
    transaction. The increment is one conditional UPDATE: a second allocation waits on the row
    lock until the first commits, then counts on from its number, so no serial is given twice
    (and CaseDocument's unique constraint would refuse it if it were)."""
    sequence, _created = DocumentSequence.objects.get_or_create(county=county, kind=kind, year=year)
    DocumentSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    return DocumentSequence.objects.filter(pk=sequence.pk).values_list("last_number", flat=True).get()


def case_document_issue(*, case_id: int, user: User, kind: str) -> CaseDocument:
    """Generates one document of a case with the next number of its county's sequence, stores
    it on the case's timeline and returns its row. Only who may issue documents (县专班); the
    case must be open and in the user's scope, and the kinds that set a time limit need a
    deadline still to come."""
    if kind not in DocumentKind.values:
        raise InvalidInput("未知的文书类型。")
    require(user, "document.issue")
    label = DocumentKind(kind).label
    with transaction.atomic():
        case = _lock_case(case_id=case_id, user=user)
        if not case.is_open:
            raise InvalidState(f"案件当前状态为“{case.get_state_display()}”，不能出具{label}。")
        case = (type(case).objects.select_related("estate__community__parent", "enterprise", "category")
                .get(pk=case.pk))
        county = case_county(case)
        today = timezone.localdate()
        wording = wording_for(county, kind)
        issuing_unit = wording.issuing_unit
        facts, deadline = case_facts(case, kind, county=county, issuing_unit=issuing_unit, today=today)
        if kind in NEEDS_DEADLINE and deadline is None:
            raise MissingField(f"案件尚未设定完成时限，不能出具{label}。请先设定完成时限（或在督办记录中填写督办时限）。")
        if kind in NEEDS_DEADLINE and deadline < today:
            raise InvalidState(f"完成时限 {deadline:%Y-%m-%d} 已过，不能出具{label}。请先设定新的完成时限（或登记新的督办时限）。")
        serial = document_number_allocate(county=county, kind=kind, year=today.year)
        number = document_number(wording.number_prefix, today.year, serial)
        content = render_docx(wording, facts, number=number, kind_label=label, deadline=deadline)
        event = case_event_record(
            case_id=case.pk, actor=user, kind=CaseEventKind.DOCUMENT, transition=kind, label=f"出具{label}",
            from_state=case.state, to_state=case.state, note=number,
            data={"kind": kind, "number": number, "deadline": deadline.isoformat() if deadline else None},
        )
        name = f"{label}（{number}）.docx"
        attachment = CaseAttachment.objects.create(
            case=case, event=event, file=ContentFile(content, name=name), original_name=name,
            content_type=DOCX_TYPE, size=len(content), uploaded_by=user,
        )
        return CaseDocument.objects.create(
            case=case, kind=kind, county=county, year=today.year, serial=serial, number=number,
            attachment=attachment, issued_by=user,
        )


TEMPLATE_FIELDS = ("issuing_unit", "number_prefix", "title", "addressee", "body", "closing", "copy_to")
_TEMPLATE_REQUIRED = {"issuing_unit": "发文单位", "number_prefix": "文号前缀", "title": "标题", "addressee": "主送",
                      "body": "正文"}


def template_county(user: User) -> Region | None:
    """The county whose templates the user edits: their own (a county user's region)."""
    if user.region_id is None:
        return None
    return user.region if user.region.level == RegionLevel.COUNTY else None


def document_template_save(*, user: User, kind: str, issuing_unit: str, number_prefix: str, title: str,
                           addressee: str, body: str, closing: str = "", copy_to: str = "") -> DocumentTemplate:
    """Saves the user's county's wording of one kind (the first save turns the defaults into the
    county's own row). Refuses blanks where the document needs text, and a number prefix with
    characters that do not belong in a document number."""
    if kind not in DocumentKind.values:
        raise InvalidInput("未知的文书类型。")
    require(user, "document.template_edit")
    county = template_county(user)
    if county is None:
        raise InvalidInput("只有区县的账号可以修改本县的文书模板。")
    values = {"issuing_unit": issuing_unit, "number_prefix": number_prefix, "title": title, "addressee": addressee,
              "body": body, "closing": closing, "copy_to": copy_to}
    values = {key: str(value or "").strip() for key, value in values.items()}
    missing = [label for key, label in _TEMPLATE_REQUIRED.items() if not values[key]]
    if missing:
        raise MissingField(f"请填写：{'、'.join(missing)}。")
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]{1,20}", values["number_prefix"]):
        raise InvalidInput("文号前缀只能是 1 到 20 个汉字、字母或数字，例如：休物整通。")
    limits = {"issuing_unit": 100, "title": 200, "addressee": 200, "copy_to": 200}
    for key, limit in limits.items():
        if len(values[key]) > limit:
            raise InvalidInput(f"“{DocumentTemplate._meta.get_field(key).verbose_name}”最多 {limit} 字。")
    with transaction.atomic():
        template, _created = DocumentTemplate.objects.select_for_update().update_or_create(
            county=county, kind=kind, defaults={**values, "updated_by": user},
        )
    return template
