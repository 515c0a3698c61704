"""Writes of the subject registers and of a case's responsible subject. Every function is
keyword-only, runs in one transaction, checks capability and scope, writes its audit event
(SubjectEvent; a case's change through rectification's case_event_record) and raises a
core.errors.DomainError with a Chinese message on refusal."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.capabilities import require
from accounts.models import User
from campaigns.models import SubjectKind
from communities.models import Estate, OwnersBodyStatus, Region, RegionLevel
from core.audit import audited, not_audited
from core.errors import Conflict, InvalidInput, MissingField, NotFound
from enterprises.validators import credit_code_problem
from rectification.models import Case, CaseEventKind
from rectification.services import case_event_record

from .models import (
    CommitteeKind,
    CommitteeMember,
    Developer,
    DeveloperProject,
    GovernmentUnit,
    MemberRole,
    OwnersCommittee,
    ProjectObligation,
    SubjectEvent,
    UnitKind,
)
from .obligations import Obligation


def _event(*, record, record_type: str, region_path: str, actor, kind: str, note: str = "", data=None) -> None:
    SubjectEvent.objects.create(record_type=record_type, record_id=record.pk, region_path=region_path, actor=actor,
                                kind=kind, note=note, data=data or {})


def _text(value, label: str, *, required: bool = False, max_length: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise MissingField(f"请填写{label}。")
    if len(text) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字。")
    return text


# ---------------------------------------------------------------------------------------------
# Developers (建设单位) and their projects


@audited("subjects.SubjectEvent")
def developer_save(*, user: User, name: str, credit_code: str, region: Region, contact_person: str = "",
                   contact_phone: str = "", address: str = "", developer_id: int | None = None) -> Developer:
    """Registers a developer, or changes one the user sees. The credit code is checked as
    enterprises' (GB 32100) and is unique; the registering region is the user's or below it."""
    require(user, "developer.edit")
    name = _text(name, "建设单位名称", required=True)
    code = _text(credit_code, "统一社会信用代码", required=True, max_length=18).upper()
    problem = credit_code_problem(code)
    if problem:
        raise InvalidInput(problem)
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists() or region.level < RegionLevel.COUNTY:
        raise NotFound("登记单位不存在或不在您的管辖范围内。")
    fields = {"name": name, "credit_code": code, "region": region,
              "contact_person": _text(contact_person, "联系人", max_length=50),
              "contact_phone": _text(contact_phone, "联系电话", max_length=30),
              "address": _text(address, "地址")}
    with transaction.atomic():
        if Developer.objects.filter(credit_code=code).exclude(pk=developer_id).exists():
            raise Conflict(f"统一社会信用代码 {code} 已登记。")
        if developer_id is None:
            developer = Developer.objects.create(**fields)
            kind, before = "created", {}
        else:
            developer = Developer.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=developer_id).first()
            if developer is None:
                raise NotFound("建设单位不存在或不在您的管辖范围内。")
            before = {"name": developer.name, "credit_code": developer.credit_code}
            for key, value in fields.items():
                setattr(developer, key, value)
            developer.save()
            kind = "changed"
        _event(record=developer, record_type="developer", region_path=region.path, actor=user, kind=kind,
               data={"before": before, "after": {"name": name, "credit_code": code}})
    return developer


@audited("subjects.SubjectEvent")
def project_save(*, user: User, developer_id: int, name: str, estate_ids: list[int], delivered_on: date | None = None,
                 note: str = "", project_id: int | None = None) -> DeveloperProject:
    """Registers or changes a project of a developer the user sees, with the estates it built
    (each within the user's scope). A new project gets the seven 盘锦 obligations, not yet done."""
    require(user, "developer.edit")
    name = _text(name, "项目名称", required=True)
    with transaction.atomic():
        developer = Developer.objects.visible_to(user).filter(pk=developer_id).first()
        if developer is None:
            raise NotFound("建设单位不存在或不在您的管辖范围内。")
        estates = list(Estate.objects.visible_to(user).filter(pk__in=estate_ids))
        if len(estates) != len(set(estate_ids)):
            raise NotFound("小区不存在或不在您的管辖范围内。")
        if developer.projects.filter(name=name).exclude(pk=project_id).exists():
            raise Conflict(f"该建设单位已有名为“{name}”的项目。")
        if project_id is None:
            project = DeveloperProject.objects.create(developer=developer, name=name, delivered_on=delivered_on,
                                                      note=_text(note, "备注", max_length=2000))
            ProjectObligation.objects.bulk_create(ProjectObligation(project=project, item=item) for item in Obligation)
            kind = "created"
        else:
            project = developer.projects.filter(pk=project_id).first()
            if project is None:
                raise NotFound("项目不存在。")
            project.name, project.delivered_on, project.note = name, delivered_on, _text(note, "备注", max_length=2000)
            project.save()
            kind = "changed"
        project.estates.set(estates)
        _event(record=project, record_type="project", region_path=developer.region.path, actor=user, kind=kind,
               data={"name": name, "estates": sorted(e.pk for e in estates)})
    return project


@audited("subjects.SubjectEvent")
def obligation_set(*, user: User, obligation_id: int, is_done: bool, done_on: date | None, note: str = "") -> ProjectObligation:
    """Marks one of a project's seven obligations done (with its date) or not done."""
    require(user, "developer.edit")
    if is_done and done_on is None:
        raise MissingField("已履行的事项请填写履行日期。")
    with transaction.atomic():
        obligation = (ProjectObligation.objects.select_for_update(of=("self",)).select_related("project__developer__region")
                      .filter(pk=obligation_id, project__developer__in=Developer.objects.visible_to(user)).first())
        if obligation is None:
            raise NotFound("义务事项不存在或不在您的管辖范围内。")
        before = {"is_done": obligation.is_done, "done_on": obligation.done_on.isoformat() if obligation.done_on else None}
        obligation.is_done, obligation.done_on = is_done, done_on if is_done else None
        obligation.note = _text(note, "说明", max_length=300)
        obligation.save()
        _event(record=obligation.project, record_type="project", region_path=obligation.project.developer.region.path,
               actor=user, kind="obligation", note=obligation.get_item_display(),
               data={"item": obligation.item, "before": before,
                     "after": {"is_done": is_done, "done_on": done_on.isoformat() if is_done and done_on else None}})
    return obligation


# ---------------------------------------------------------------------------------------------
# Owners' committees (业委会 / 物管会)


@dataclass(frozen=True)
class CommitteeInput:
    estate_id: int
    kind: str
    term_start: date | None
    term_end: date | None
    filed_on: date | None = None
    has_seal: bool = False
    has_party_organisation: bool = False


@not_audited("copies the committee register onto the estate inside a committee write, whose SubjectEvent covers it")
def estate_owners_body_sync(*, estate_id: int) -> None:
    """Copies the estate's current committee onto the estate (owners_body_status, term end, party
    organisation): the register is the one source; the estate's columns are what its list, export,
    API and the coverage figures filter on. Without a committee, an estate whose owners' assembly
    exists without a committee keeps that status, and the estate keeps the party organisation
    recorded for it (a 小区党组织 may exist before a committee does: nothing recorded is lost)."""
    estate = Estate.objects.select_for_update(of=("self",)).get(pk=estate_id)
    committee = OwnersCommittee.objects.filter(estate_id=estate_id, is_current=True).first()
    if committee is None:
        status = OwnersBodyStatus.ASSEMBLY_ONLY if estate.owners_body_status == OwnersBodyStatus.ASSEMBLY_ONLY \
            else OwnersBodyStatus.NONE
        values = {"owners_body_status": status, "owners_body_term_end": None}
    else:
        status = OwnersBodyStatus.MANAGEMENT_COMMITTEE if committee.kind == CommitteeKind.MANAGEMENT_COMMITTEE \
            else OwnersBodyStatus.COMMITTEE
        values = {"owners_body_status": status, "owners_body_term_end": committee.term_end,
                  "has_party_organisation": committee.has_party_organisation}
    Estate.objects.filter(pk=estate_id).update(**values)


@audited("subjects.SubjectEvent")
def committee_save(*, user: User, data: CommitteeInput, committee_id: int | None = None) -> OwnersCommittee:
    """Records an estate's committee, or changes one. A new committee of an estate that has a
    current one is its 换届: the old one stays as history, no longer current. The estate's owners'
    body columns follow (estate_owners_body_sync)."""
    require(user, "committee.edit")
    if data.kind not in CommitteeKind.values:
        raise InvalidInput("请选择业委会或物管会。")
    if data.term_start is None or data.term_end is None:
        raise MissingField("请填写本届任期的开始和届满日期。")
    if data.term_end < data.term_start:
        raise InvalidInput("任期届满日期不能早于开始日期。")
    fields = {"kind": data.kind, "term_start": data.term_start, "term_end": data.term_end, "filed_on": data.filed_on,
              "has_seal": data.has_seal, "has_party_organisation": data.has_party_organisation}
    with transaction.atomic():
        estate = Estate.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=data.estate_id).first()
        if estate is None:
            raise NotFound("小区不存在或不在您的管辖范围内。")
        if committee_id is None:
            replaced = list(OwnersCommittee.objects.filter(estate=estate, is_current=True).values_list("pk", flat=True))
            OwnersCommittee.objects.filter(pk__in=replaced).update(is_current=False)
            committee = OwnersCommittee.objects.create(estate=estate, **fields)
            kind, before = "created", {"replaced": replaced}
        else:
            committee = OwnersCommittee.objects.select_for_update(of=("self",)).filter(pk=committee_id, estate=estate).first()
            if committee is None:
                raise NotFound("业委会（物管会）不存在或不在您的管辖范围内。")
            before = {k: _json(getattr(committee, k)) for k in fields}
            for key, value in fields.items():
                setattr(committee, key, value)
            committee.save()
            kind = "changed"
        estate_owners_body_sync(estate_id=estate.pk)
        _event(record=committee, record_type="committee", region_path=estate.community.path, actor=user, kind=kind,
               data={"before": before, "after": {k: _json(v) for k, v in fields.items()}})
    return committee


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


def _committee_for_write(user: User, committee_id: int) -> OwnersCommittee:
    committee = (OwnersCommittee.objects.visible_to(user).select_for_update(of=("self",))
                 .select_related("estate__community").filter(pk=committee_id).first())
    if committee is None:
        raise NotFound("业委会（物管会）不存在或不在您的管辖范围内。")
    return committee


@audited("subjects.SubjectEvent")
def committee_member_add(*, user: User, committee_id: int, name: str, role: str, term_start: date | None = None,
                         term_end: date | None = None, is_party_member: bool = False) -> CommitteeMember:
    """Adds a member to a committee; the term defaults to the committee's. One 主任 per committee."""
    require(user, "committee.edit")
    name = _text(name, "姓名", required=True, max_length=50)
    if role not in MemberRole.values:
        raise InvalidInput("请选择职务。")
    with transaction.atomic():
        committee = _committee_for_write(user, committee_id)
        if role == MemberRole.DIRECTOR and committee.members.filter(role=MemberRole.DIRECTOR).exists():
            raise Conflict("该业委会（物管会）已有主任。")
        start, end = term_start or committee.term_start, term_end or committee.term_end
        if end < start:
            raise InvalidInput("任期届满日期不能早于开始日期。")
        member = CommitteeMember.objects.create(committee=committee, name=name, role=role, term_start=start,
                                                term_end=end, is_party_member=is_party_member)
        _event(record=committee, record_type="committee", region_path=committee.estate.community.path, actor=user,
               kind="member_added", note=f"{name}（{member.get_role_display()}）",
               data={"member_id": member.pk, "role": role, "party_member": is_party_member})
    return member


@audited("subjects.SubjectEvent")
def committee_member_remove(*, user: User, member_id: int, reason: str) -> None:
    """Removes a member (资格终止), with the reason in the committee's log."""
    require(user, "committee.edit")
    reason = _text(reason, "原因", required=True, max_length=300)
    with transaction.atomic():
        member = CommitteeMember.objects.visible_to(user).filter(pk=member_id).first()
        if member is None:
            raise NotFound("委员不存在或不在您的管辖范围内。")
        committee = _committee_for_write(user, member.committee_id)
        _event(record=committee, record_type="committee", region_path=committee.estate.community.path, actor=user,
               kind="member_removed", note=reason, data={"member_id": member.pk, "name": member.name, "role": member.role})
        member.delete()


# ---------------------------------------------------------------------------------------------
# Government units


@audited("subjects.SubjectEvent")
def government_unit_save(*, user: User, name: str, kind: str, region: Region) -> GovernmentUnit:
    require(user, "developer.edit")
    name = _text(name, "单位名称", required=True, max_length=100)
    if kind not in UnitKind.values:
        raise InvalidInput("请选择单位类型。")
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        raise NotFound("行政区划不存在或不在您的管辖范围内。")
    try:
        with transaction.atomic():
            unit = GovernmentUnit.objects.create(name=name, kind=kind, region=region)
            _event(record=unit, record_type="government_unit", region_path=region.path, actor=user, kind="created")
    except IntegrityError:
        raise Conflict(f"{region.name}已有名为“{name}”的单位。") from None
    return unit


# ---------------------------------------------------------------------------------------------
# A case's responsible subject


def case_subject_defaults(*, kind: str, estate_ids: list[int]) -> dict[int, int]:
    """The intake's default subject of each estate (rectification.hooks.subject_defaults): the
    developer of the estate's latest project, the estate's current committee, or the unit of the
    estate's town. One query."""
    if kind == SubjectKind.DEVELOPER:
        rows = (DeveloperProject.objects.filter(estates__in=estate_ids).values("estates")
                .annotate(latest=Max("pk")).values_list("estates", "latest"))
        latest = dict(rows)
        developers = dict(DeveloperProject.objects.filter(pk__in=latest.values()).values_list("pk", "developer_id"))
        return {estate_id: developers[pk] for estate_id, pk in latest.items()}
    if kind == SubjectKind.COMMITTEE:
        return dict(OwnersCommittee.objects.filter(estate_id__in=estate_ids, is_current=True)
                    .values_list("estate_id", "pk"))
    if kind == SubjectKind.GOVERNMENT:
        towns = dict(Estate.objects.filter(pk__in=estate_ids).values_list("pk", "community__parent_id"))
        units = dict(GovernmentUnit.objects.filter(region_id__in=set(towns.values()), kind=UnitKind.TOWN)
                     .values_list("region_id", "pk"))
        return {estate_id: units[town] for estate_id, town in towns.items() if town in units}
    return {}


@audited("rectification.CaseEvent")
def case_subject_set(*, user: User, case_id: int, subject_kind: str, developer_id: int | None = None,
                     owners_committee_id: int | None = None, government_unit_id: int | None = None,
                     note: str = "") -> Case:
    """Changes a case's responsible subject (the county's decision), with its timeline event.
    The subject named must be one the user sees; the enterprise is the estate's serving one."""
    require(user, "case.set_subject")
    if subject_kind not in SubjectKind.values:
        raise InvalidInput("请选择责任主体类型。")
    note = _text(note, "变更原因", required=True, max_length=500)
    ids = {"developer_id": None, "owners_committee_id": None, "government_unit_id": None}
    needed = {SubjectKind.DEVELOPER: ("developer_id", developer_id, Developer, "建设单位"),
              SubjectKind.COMMITTEE: ("owners_committee_id", owners_committee_id, OwnersCommittee, "业委会（物管会）"),
              SubjectKind.GOVERNMENT: ("government_unit_id", government_unit_id, GovernmentUnit, "政府部门、镇（街道）")}
    with transaction.atomic():
        case = Case.objects.visible_to(user).select_for_update(of=("self",)).select_related("estate").filter(pk=case_id).first()
        if case is None:
            raise NotFound("案件不存在或不在您的管辖范围内。")
        if subject_kind in needed:
            field, pk, model, label = needed[subject_kind]
            if pk is None:
                raise MissingField(f"请选择{label}。")
            if not model.objects.visible_to(user).filter(pk=pk).exists():
                raise NotFound(f"{label}不存在或不在您的管辖范围内。")
            ids[field] = pk
        before = {"subject_kind": case.subject_kind, "subject": case.subject_name}
        case.subject_kind = subject_kind
        for field, value in ids.items():
            setattr(case, field, value)
        case.version += 1
        case.save(update_fields=["subject_kind", *ids, "version", "updated_at"])
        case.refresh_from_db()
        case_event_record(case_id=case.pk, actor=user, kind=CaseEventKind.ACTION, transition="set_subject",
                          label="变更责任主体", from_state=case.state, to_state=case.state, note=note,
                          data={"before": before, "after": {"subject_kind": subject_kind, "subject": case.subject_name}})
    return case
