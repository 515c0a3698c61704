"""The developer and committee registers from Excel (名册导入), through the generic import
(core.tabular_import): upload, preview with a Chinese reason per row, 仅导入有效行, an error-row
.xlsx that imports again, a template. Rows are written through subjects.services (each with its
audit event, and the estate's owners' body columns kept equal to the register), so an import does
exactly what the pages do.

- Developers (建设单位): one row per project; the developer upserted by 统一社会信用代码, the project
  by its name under that developer, its estates named in the user's scope.
- Committees (业委会 / 物管会): one row per estate; a row whose term start equals the current
  committee's updates it, another term start records the new term (换届); 主任 and 副主任 named
  are added once."""

import re

from django.db.models import Q

from communities.models import Estate, Region, RegionLevel
from core import tabular_import as ti
from core.errors import InvalidInput
from enterprises.registers import credit_code, place_key
from enterprises.validators import credit_code_check_char

from . import services
from .models import CommitteeKind, Developer, MemberRole, OwnersCommittee

KIND_SYNONYMS = {"业委会": CommitteeKind.OWNERS_COMMITTEE, "业主大会业主委员会": CommitteeKind.OWNERS_COMMITTEE,
                 "物管会": CommitteeKind.MANAGEMENT_COMMITTEE}
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _estates_in_scope(rows, *, user, name_keys) -> dict:
    """(community key, estate name) and estate name → the user's estates named in the file (one query)."""
    names = {name for row in rows for name in name_keys(row.values)}
    by_key: dict[tuple[str, str], list[Estate]] = {}
    by_name: dict[str, list[Estate]] = {}
    for estate in Estate.objects.visible_to(user).filter(name__in=names).select_related("community__parent"):
        by_key.setdefault((place_key(estate.community.name), estate.name), []).append(estate)
        by_name.setdefault(estate.name, []).append(estate)
    return {"by_key": by_key, "by_name": by_name}


def _estate(name: str, community: str, context) -> Estate:
    found = context["by_key"].get((place_key(community), name)) if community else context["by_name"].get(name)
    if not found:
        place = f"{community}" if community else ""
        raise InvalidInput(f"小区“{place}{name}”不存在或不在本辖区")
    if len(found) > 1:
        raise InvalidInput(f"有多个名为“{name}”的小区，请填写社区/村")
    return found[0]


# ---------------------------------------------------------------------------------------------
# Developers


def _estate_names(values) -> list[str]:
    return [name for name in _SEPARATORS.split(values.get("estates") or "") if name]


def _developers_prepare(rows, *, user) -> dict:
    codes = {r.values["credit_code"] for r in rows}
    regions = {place_key(r.values["region"]) for r in rows if r.values.get("region")}
    scope = Region.objects.visible_to(user).filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWN])
    region_filter = Q()
    for key in regions:
        region_filter |= Q(name__startswith=key)
    return {
        **_estates_in_scope(rows, user=user, name_keys=_estate_names),
        "developers": {d.credit_code: d for d in Developer.objects.filter(credit_code__in=codes)},
        "visible": set(Developer.objects.visible_to(user).filter(credit_code__in=codes).values_list("pk", flat=True)),
        "regions": {place_key(r.name): r for r in (scope.filter(region_filter) if regions else [])},
        "home": user.region if user.region_id and user.region.level in (RegionLevel.COUNTY, RegionLevel.TOWN) else None,
    }


def _developers_validate(row, *, context, user) -> None:
    values = row.values
    existing = context["developers"].get(values["credit_code"])
    if existing is not None and existing.pk not in context["visible"]:
        raise InvalidInput("该统一社会信用代码的建设单位已由其他地区登记")
    region = context["regions"].get(place_key(values["region"])) if values.get("region") else context["home"]
    if region is None:
        raise InvalidInput(f"登记单位“{values.get('region') or ''}”不存在或不在本辖区，请填写县（区）或镇（街道）名称")
    values["region_obj"] = region
    values["estate_ids"] = [_estate(name, "", context).pk for name in _estate_names(values)]
    if values["estate_ids"] and not values.get("project"):
        raise InvalidInput("填写了涉及小区时请填写项目名称")
    row.note = "更新" if existing is not None else "新增"


def _developers_save(rows, *, user, context) -> dict:
    developers = {}
    for row in rows:
        v = row.values
        developer = developers.get(v["credit_code"]) or context["developers"].get(v["credit_code"])
        developer = services.developer_save(
            user=user, developer_id=developer.pk if developer else None, name=v["name"], credit_code=v["credit_code"],
            region=v["region_obj"], contact_person=v.get("contact_person") or "",
            contact_phone=v.get("contact_phone") or "", address=v.get("address") or "")
        developers[v["credit_code"]] = developer
        if v.get("project"):
            project = developer.projects.filter(name=v["project"]).first()
            services.project_save(user=user, developer_id=developer.pk, project_id=project.pk if project else None,
                                  name=v["project"], estate_ids=v["estate_ids"], delivered_on=v.get("delivered_on"),
                                  note=project.note if project else "")
    return {"imported": len(rows), "message": f"已导入 {len(rows)} 行，涉及建设单位 {len(developers)} 家"}


DEVELOPER_IMPORT = ti.register(ti.RowSchema(
    key="subjects.developers", title="建设单位名册", capability="developer.edit",
    description="按统一社会信用代码新增或更新建设单位；每行一个开发项目（同名项目更新），新项目带盘锦市方案的 7 项建设单位义务。",
    columns=[
        ti.Column("name", "建设单位名称", ti.text(max_length=200), required=True,
                  synonyms=("建设单位", "开发企业", "开发商", "单位名称"), example="休宁县徽韵房地产开发有限公司"),
        ti.Column("credit_code", "统一社会信用代码", credit_code(), required=True, synonyms=("社会信用代码", "信用代码"),
                  example="91341022MA2000001" + credit_code_check_char("91341022MA2000001")),
        ti.Column("region", "登记单位", ti.text(max_length=50), synonyms=("所属区域", "属地", "镇/街道"),
                  help="县（区）或镇（街道）名称；空白为本人所在单位"),
        ti.Column("contact_person", "联系人", ti.text(max_length=50), synonyms=("负责人",)),
        ti.Column("contact_phone", "联系电话", ti.text(max_length=30), synonyms=("电话", "联系方式")),
        ti.Column("address", "地址", ti.text(max_length=200), synonyms=("注册地址", "住所")),
        ti.Column("project", "项目名称", ti.text(max_length=200), synonyms=("开发项目", "楼盘名称")),
        ti.Column("estates", "涉及小区", ti.text(max_length=500), synonyms=("小区", "小区名称"),
                  help="多个小区用顿号分隔", example="海阳花园、城北佳苑"),
        ti.Column("delivered_on", "交付日期", ti.date_value(), synonyms=("交房日期",), example="2024-09-30"),
    ],
    prepare=_developers_prepare, validate=_developers_validate, save_rows=_developers_save,
    natural_key=lambda values: (values["credit_code"], values.get("project") or ""),
    preview_columns=("name", "credit_code", "project", "estates"),
    back_url="subjects:developer-list",
))


# ---------------------------------------------------------------------------------------------
# Committees


def _committees_prepare(rows, *, user) -> dict:
    context = _estates_in_scope(rows, user=user, name_keys=lambda values: [values["estate"]])
    estate_ids = [e.pk for found in context["by_name"].values() for e in found]
    context["current"] = {c.estate_id: c for c in OwnersCommittee.objects.filter(estate_id__in=estate_ids, is_current=True)}
    return context


def _committees_validate(row, *, context, user) -> None:
    values = row.values
    estate = _estate(values["estate"], values.get("community") or "", context)
    values["estate_id"] = estate.pk
    if values["term_end"] < values["term_start"]:
        raise InvalidInput("任期届满日期不能早于开始日期")
    current = context["current"].get(estate.pk)
    values["committee_id"] = current.pk if current is not None and current.term_start == values["term_start"] else None
    row.note = "更新" if values["committee_id"] else ("换届" if current is not None else "新增")


def _committees_save(rows, *, user, context) -> dict:
    for row in rows:
        v = row.values
        committee = services.committee_save(user=user, committee_id=v["committee_id"], data=services.CommitteeInput(
            estate_id=v["estate_id"], kind=v.get("kind") or CommitteeKind.OWNERS_COMMITTEE, term_start=v["term_start"],
            term_end=v["term_end"], filed_on=v.get("filed_on"), has_seal=bool(v.get("has_seal")),
            has_party_organisation=bool(v.get("has_party_organisation"))))
        named = set(committee.members.values_list("name", "role"))
        for key, role in (("director", MemberRole.DIRECTOR), ("deputy", MemberRole.DEPUTY)):
            for name in _SEPARATORS.split(v.get(key) or ""):
                if name and (name, role) not in named:
                    services.committee_member_add(user=user, committee_id=committee.pk, name=name, role=role)
    return {"imported": len(rows), "message": f"已导入 {len(rows)} 个小区的业委会（物管会）"}


COMMITTEE_IMPORT = ti.register(ti.RowSchema(
    key="subjects.committees", title="业委会（物管会）名册", capability="committee.edit",
    description="每行一个小区的本届业委会（物管会）；任期开始日期与现任相同则更新，不同则登记为换届（原届转为往届）。",
    columns=[
        ti.Column("town", "镇/街道", ti.text(max_length=50), synonyms=("乡镇", "街道")),
        ti.Column("community", "社区/村", ti.text(max_length=50), synonyms=("社区", "村", "所属社区")),
        ti.Column("estate", "小区名称", ti.text(max_length=100), required=True, synonyms=("小区", "住宅小区"),
                  example="海阳花园"),
        ti.Column("kind", "类型", ti.choice(CommitteeKind, synonyms=KIND_SYNONYMS), synonyms=("组织类型",),
                  help="业委会或物管会；空白为业委会"),
        ti.Column("term_start", "任期开始", ti.date_value(), required=True, synonyms=("本届任期开始", "任期起始日期"),
                  example="2026-03-01"),
        ti.Column("term_end", "任期届满", ti.date_value(), required=True, synonyms=("本届任期届满", "任期届满日期"),
                  example="2031-02-28"),
        ti.Column("filed_on", "备案日期", ti.date_value(), synonyms=("备案时间",)),
        ti.Column("has_seal", "印章已备案", ti.boolean(), synonyms=("印章", "已刻制印章")),
        ti.Column("has_party_organisation", "已建立党组织", ti.boolean(), synonyms=("党组织", "是否建立党组织")),
        ti.Column("director", "主任", ti.text(max_length=50), synonyms=("主任姓名",)),
        ti.Column("deputy", "副主任", ti.text(max_length=100), synonyms=("副主任姓名",), help="多人用顿号分隔"),
    ],
    prepare=_committees_prepare, validate=_committees_validate, save_rows=_committees_save,
    natural_key=lambda values: (place_key(values.get("community") or ""), values["estate"]),
    preview_columns=("community", "estate", "term_start", "term_end"),
    back_url="subjects:committee-list",
))
