"""The county's registers from Excel (名册导入): residential estates (住宅小区) and property
service enterprises (物业服务企业), through the generic import (core.tabular_import). Both upsert
by their natural key — an estate by (community, name), an enterprise by 统一社会信用代码 — so a
corrected file imports again without duplicates; a re-imported file updates only the columns it
has, and a blank cell keeps the value already registered. Scoped: a county imports only into its own towns and communities (another county's →
不在本辖区), and updates only the enterprises it sees.

Both live here because an estate row names its enterprise (by name or credit code), and
enterprises sits above communities in the layers."""

import re
import unicodedata

from django.db.models import Q

from communities.models import Estate, ManagementType, OwnersBodyStatus, Region, RegionLevel, ServiceLevel
from core import tabular_import as ti
from core.bulk import bulk_insert
from core.errors import InvalidInput

from .models import Enterprise
from .validators import credit_code_check_char, credit_code_problem

OUT_OF_SCOPE = "不在本辖区"
_PLACE_SUFFIXES = ("街道办事处", "街道", "社区居委会", "居委会", "村委会", "社区", "镇", "乡", "村")


def place_key(name) -> str:
    """A town or community name as people write it: 海阳镇 / 海阳, 秀阳社区 / 秀阳社区居委会 / 秀阳."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or "")))
    for suffix in _PLACE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _in_scope(user, region: Region) -> bool:
    if user.sees_everything:
        return True
    return bool(user.region_id) and region.path.startswith(user.region.path)


def credit_code():
    def parse(value) -> str:
        code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()
        problem = credit_code_problem(code)
        if problem:
            raise InvalidInput(problem.removeprefix("统一社会信用代码"))
        return code

    parse.kind = "18 位，按 GB 32100-2015 校验"
    return parse


# ---------------------------------------------------------------------------------------------
# Estates


def _estates_prepare(rows, *, user) -> dict:
    """Communities named in the file (any county, to tell 不在本辖区 from 未找到), the enterprises
    named, and the estates already registered there: a fixed number of queries."""
    keys = {place_key(r.values["community"]) for r in rows}
    communities: dict[str, list[Region]] = {}
    candidates = Region.objects.filter(level=RegionLevel.COMMUNITY).select_related("parent")
    name_filter = Q()
    for key in keys:
        name_filter |= Q(name__startswith=key)
    for region in candidates.filter(name_filter) if keys else []:
        communities.setdefault(place_key(region.name), []).append(region)
    codes = {r.values["enterprise_code"] for r in rows if r.values.get("enterprise_code")}
    names = {r.values["enterprise"] for r in rows if r.values.get("enterprise")}
    enterprises = list(Enterprise.objects.filter(Q(credit_code__in=codes) | Q(name__in=names))) if codes or names else []
    community_ids = [region.pk for found in communities.values() for region in found]
    existing = {(e.community_id, e.name): e for e in Estate.objects.filter(community_id__in=community_ids,
                                                                            name__in={r.values["name"] for r in rows})}
    return {
        "communities": communities,
        "by_code": {e.credit_code: e for e in enterprises},
        "by_name": {e.name: e for e in enterprises},
        "existing": existing,
    }


def _community(values, *, context, user) -> Region:
    found = context["communities"].get(place_key(values["community"]), [])
    town = values.get("town")
    if town:
        found = [c for c in found if place_key(c.parent.name) == place_key(town)]
    place = f"{town or ''}{values['community']}"
    if not found:
        raise InvalidInput(f"社区/村“{place}”不存在，请核对名称（或先在后台登记该社区）")
    mine = [c for c in found if _in_scope(user, c)]
    if not mine:
        raise InvalidInput(f"{OUT_OF_SCOPE}：“{place}”属于{found[0].parent.parent.name}")
    if len(mine) > 1:
        towns = "、".join(c.parent.name for c in mine)
        raise InvalidInput(f"社区/村“{values['community']}”在{towns}都有，请填写镇/街道")
    return mine[0]


def _estates_validate(row, *, context, user) -> None:
    values = row.values
    community = _community(values, context=context, user=user)
    values["community_id"] = community.pk
    enterprise = None
    code, name = values.get("enterprise_code"), values.get("enterprise")
    if code:
        enterprise = context["by_code"].get(code)
        if enterprise is None:
            raise InvalidInput(f"统一社会信用代码为 {code} 的物业服务企业未登记，请先导入企业名册")
        if name and name != enterprise.name:
            raise InvalidInput(f"物业服务企业“{name}”与统一社会信用代码登记的“{enterprise.name}”不一致")
    elif name:
        enterprise = context["by_name"].get(name)
        if enterprise is None:
            raise InvalidInput(f"物业服务企业“{name}”未登记，请先导入企业名册或填写统一社会信用代码")
    values["enterprise_id"] = enterprise.pk if enterprise else None
    if values.get("management_type") == ManagementType.ENTERPRISE and "management_type" in row.raw and not enterprise \
            and ("enterprise" in row.raw or "enterprise_code" in row.raw):
        raise InvalidInput("管理方式为“物业服务企业管理”时请填写物业服务企业")
    start, end = values.get("contract_start"), values.get("contract_end")
    if start and end and end < start:
        raise InvalidInput("合同结束日期不能早于开始日期")
    existing = context["existing"].get((community.pk, values["name"]))
    values["existing"] = existing
    row.note = "更新" if existing else "新增"


#: the Estate fields a row sets, from the columns the file has
_ESTATE_FIELDS = {
    "address": "address", "households": "households", "building_count": "building_count",
    "floor_area": "floor_area", "elevator_count": "elevator_count", "oldest_elevator_year": "oldest_elevator_year",
    "ev_charging_ports": "ev_charging_ports", "management_type": "management_type",
    "owners_body_status": "owners_body_status", "owners_body_term_end": "owners_body_term_end",
    "has_party_organisation": "has_party_organisation", "contract_start": "contract_start",
    "contract_end": "contract_end", "service_level": "service_level",
    "contract_filing_number": "contract_filing_number",
}
_ESTATE_DEFAULTS = {
    "households": 0, "building_count": 0, "elevator_count": 0, "ev_charging_ports": 0,
    "management_type": ManagementType.ENTERPRISE, "owners_body_status": OwnersBodyStatus.NONE,
    "has_party_organisation": False, "service_level": "",
}


def _estate_value(field: str, value):
    if value is None or value == "":
        return _ESTATE_DEFAULTS.get(field, "" if field in ("address", "contract_filing_number") else None)
    return value


def _estates_save(rows, *, user, context) -> dict:
    present = set().union(*(row.raw.keys() for row in rows))
    fields = [f for key, f in _ESTATE_FIELDS.items() if key in present]
    enterprise_given = bool(present & {"enterprise", "enterprise_code"})
    new = [r for r in rows if r.values["existing"] is None]
    columns = ["name", "community_id", "enterprise_id", *fields]
    bulk_insert(Estate, columns, [
        [r.values["name"], r.values["community_id"], r.values["enterprise_id"],
         *(_estate_value(f, r.values.get(f)) for f in fields)] for r in new
    ], constants={f: v for f, v in _ESTATE_DEFAULTS.items() if f not in fields})
    changed = []
    for row in rows:
        estate = row.values["existing"]
        if estate is None:
            continue
        for f in fields:  # a blank cell keeps what the register had: nothing saved is lost
            if not ti.is_blank(row.raw.get(f)):
                setattr(estate, f, row.values.get(f))
        if enterprise_given and row.values["enterprise_id"]:
            estate.enterprise_id = row.values["enterprise_id"]
        changed.append(estate)
    update_fields = fields + (["enterprise"] if enterprise_given else [])
    if changed and update_fields:
        Estate.objects.bulk_update(changed, update_fields, batch_size=500)
    return {"imported": len(rows), "message": f"新增 {len(new)} 个小区，更新 {len(changed)} 个"}


MANAGEMENT_SYNONYMS = {
    "物业企业": ManagementType.ENTERPRISE, "物业公司": ManagementType.ENTERPRISE, "专业化物业": ManagementType.ENTERPRISE,
    "物业服务企业": ManagementType.ENTERPRISE, "专业物业": ManagementType.ENTERPRISE,
    "自治": ManagementType.SELF, "业主自治": ManagementType.SELF, "业主自管": ManagementType.SELF, "自管": ManagementType.SELF,
    "无物业": ManagementType.NONE, "无": ManagementType.NONE, "无物业管理": ManagementType.NONE,
    "弃管": ManagementType.NONE, "社区托管": ManagementType.NONE,
}
OWNERS_BODY_SYNONYMS = {
    "已成立": OwnersBodyStatus.COMMITTEE, "有": OwnersBodyStatus.COMMITTEE, "已成立业委会": OwnersBodyStatus.COMMITTEE,
    "业委会": OwnersBodyStatus.COMMITTEE, "已成立业主大会": OwnersBodyStatus.ASSEMBLY_ONLY,
    "物管会": OwnersBodyStatus.MANAGEMENT_COMMITTEE, "物业管理委员会": OwnersBodyStatus.MANAGEMENT_COMMITTEE,
    "未成立": OwnersBodyStatus.NONE, "无": OwnersBodyStatus.NONE, "否": OwnersBodyStatus.NONE,
}
SERVICE_LEVEL_SYNONYMS = {f"{n}级": str(n) for n in range(1, 6)} | {f"{label}服务": value for value, label in ServiceLevel.choices}

ESTATE_IMPORT = ti.register(ti.RowSchema(
    key="enterprises.estates", title="住宅小区名册", capability="register.import",
    description="按“社区 + 小区名称”新增或更新（再次导入同一文件只更新，不会重复）；只能导入本辖区的镇/街道、社区。",
    columns=[
        ti.Column("town", "镇/街道", ti.text(max_length=50), synonyms=("乡镇", "乡镇（街道）", "镇（街道）", "街道", "所属镇街"),
                  help="社区名称在本县重名时必填", example="海阳镇"),
        ti.Column("community", "社区/村", ti.text(max_length=50), required=True,
                  synonyms=("社区", "所属社区", "社区（村）", "村/社区", "村（社区）", "居委会"), example="秀阳社区"),
        ti.Column("name", "小区名称", ti.text(max_length=100), required=True,
                  synonyms=("小区", "小区（项目）名称", "项目名称", "住宅小区名称"), example="海阳花园"),
        ti.Column("address", "地址", ti.text(max_length=200), synonyms=("小区地址", "坐落", "坐落地址")),
        ti.Column("enterprise", "物业服务企业", ti.text(max_length=100),
                  synonyms=("物业公司", "物业企业", "物业服务企业名称", "企业名称"), help="须已登记（可先导入企业名册）"),
        ti.Column("enterprise_code", "统一社会信用代码", credit_code(),
                  synonyms=("企业统一社会信用代码", "物业企业统一社会信用代码", "信用代码"), help="填写后按代码匹配企业"),
        ti.Column("management_type", "管理方式", ti.choice(ManagementType, synonyms=MANAGEMENT_SYNONYMS),
                  synonyms=("物业管理方式", "管理模式")),
        ti.Column("households", "户数", ti.integer(), synonyms=("总户数", "住户数", "户数（户）"), example="320"),
        ti.Column("building_count", "楼栋数", ti.integer(), synonyms=("栋数", "楼栋数（栋）")),
        ti.Column("floor_area", "建筑面积（平方米）", ti.decimal(max_digits=12), synonyms=("总建筑面积", "面积", "建筑面积"),
                  example="45000.5"),
        ti.Column("elevator_count", "电梯数量", ti.integer(), synonyms=("电梯数", "电梯（部）", "电梯台数", "电梯")),
        ti.Column("oldest_elevator_year", "最早电梯投用年份", ti.integer(min_value=1950, max_value=2100),
                  synonyms=("电梯投用年份",)),
        ti.Column("ev_charging_ports", "电动自行车充电端口数", ti.integer(), synonyms=("充电端口数", "充电桩端口数")),
        ti.Column("owners_body_status", "业委会情况", ti.choice(OwnersBodyStatus, synonyms=OWNERS_BODY_SYNONYMS),
                  synonyms=("业主大会/业委会/物管会", "业委会成立情况", "业委会", "是否成立业委会")),
        ti.Column("owners_body_term_end", "业委会任期届满", ti.date_value(), synonyms=("任期届满", "业委会任期届满日期")),
        ti.Column("has_party_organisation", "已建立小区党组织", ti.boolean(), synonyms=("小区党组织", "是否建立党组织")),
        ti.Column("contract_start", "合同开始日期", ti.date_value(), synonyms=("合同起始日期", "合同开始")),
        ti.Column("contract_end", "合同结束日期", ti.date_value(), synonyms=("合同到期日期", "合同截止日期", "合同结束")),
        ti.Column("service_level", "服务等级", ti.choice(ServiceLevel, synonyms=SERVICE_LEVEL_SYNONYMS)),
        ti.Column("contract_filing_number", "合同备案号", ti.text(max_length=50), synonyms=("备案号",)),
    ],
    prepare=_estates_prepare, validate=_estates_validate, save_rows=_estates_save,
    natural_key=lambda values: (values["community_id"], values["name"]),
    preview_columns=("town", "community", "name", "enterprise"),
    back_url="communities:estate-list",
))


# ---------------------------------------------------------------------------------------------
# Enterprises


def _enterprises_prepare(rows, *, user) -> dict:
    codes = {r.values["credit_code"] for r in rows}
    existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    visible = set(Enterprise.objects.visible_to(user).filter(credit_code__in=codes).values_list("pk", flat=True))
    keys = {place_key(r.values["region"]) for r in rows if r.values.get("region")}
    places: dict[str, list[Region]] = {}
    if keys:
        name_filter = Q()
        for key in keys:
            name_filter |= Q(name__startswith=key)
        for region in Region.objects.filter(name_filter, level__gte=RegionLevel.COUNTY).select_related("parent"):
            places.setdefault(place_key(region.name), []).append(region)
    return {"existing": existing, "visible": visible, "places": places}


def _enterprises_validate(row, *, context, user) -> None:
    values = row.values
    existing = context["existing"].get(values["credit_code"])
    if existing is not None and existing.pk not in context["visible"]:
        raise InvalidInput(f"{OUT_OF_SCOPE}：该统一社会信用代码已由其他县区登记（{existing.name}）")
    values["existing"] = existing
    region = None
    if values.get("region"):
        found = context["places"].get(place_key(values["region"]), [])
        if not found:
            raise InvalidInput(f"注册地“{values['region']}”不存在，请填写县/区或镇/街道名称")
        mine = [r for r in found if _in_scope(user, r)]
        if not mine:
            raise InvalidInput(f"{OUT_OF_SCOPE}：注册地“{values['region']}”")
        region = mine[0]
    elif existing is None and user.region_id and not user.sees_everything:
        region = user.region
    values["registered_region_id"] = region.pk if region else (existing.registered_region_id if existing else None)
    if existing is None and not values.get("legal_representative"):
        raise InvalidInput("法定代表人：新登记企业必填")
    row.note = "更新" if existing else "新增"


_ENTERPRISE_FIELDS = ("legal_representative", "contact_person", "contact_phone", "address")


def _enterprises_save(rows, *, user, context) -> dict:
    present = set().union(*(row.raw.keys() for row in rows))
    new = [r for r in rows if r.values["existing"] is None]
    bulk_insert(Enterprise, ["name", "credit_code", "registered_region_id", *_ENTERPRISE_FIELDS], [
        [r.values["name"], r.values["credit_code"], r.values["registered_region_id"],
         *(r.values.get(f) or "" for f in _ENTERPRISE_FIELDS)] for r in new
    ])
    fields = ["name", *(f for f in _ENTERPRISE_FIELDS if f in present)]
    if "region" in present:
        fields.append("registered_region")
    changed = []
    for row in rows:
        enterprise = row.values["existing"]
        if enterprise is None:
            continue
        enterprise.name = row.values["name"]
        for f in _ENTERPRISE_FIELDS:  # a blank cell keeps what was registered
            if not ti.is_blank(row.raw.get(f)):
                setattr(enterprise, f, row.values.get(f))
        enterprise.registered_region_id = row.values["registered_region_id"]
        changed.append(enterprise)
    if changed:
        Enterprise.objects.bulk_update(changed, fields, batch_size=500)
    return {"imported": len(rows), "message": f"新增 {len(new)} 家企业，更新 {len(changed)} 家"}


ENTERPRISE_IMPORT = ti.register(ti.RowSchema(
    key="enterprises.enterprises", title="物业服务企业名册", capability="register.import",
    description="按统一社会信用代码新增或更新（再次导入同一文件只更新，不会重复）。",
    columns=[
        ti.Column("name", "企业名称", ti.text(max_length=100), required=True,
                  synonyms=("物业服务企业", "物业服务企业名称", "物业公司", "单位名称"), example="海阳物业服务有限公司"),
        ti.Column("credit_code", "统一社会信用代码", credit_code(), required=True,
                  synonyms=("社会信用代码", "信用代码", "统一代码"), example="91341022MA2000001" + credit_code_check_char("91341022MA2000001")),
        ti.Column("legal_representative", "法定代表人", ti.text(max_length=50), synonyms=("法人", "法人代表"),
                  help="新登记企业必填"),
        ti.Column("contact_person", "联系人", ti.text(max_length=50), synonyms=("项目负责人", "负责人")),
        ti.Column("contact_phone", "联系电话", ti.text(max_length=30), synonyms=("电话", "手机", "联系方式")),
        ti.Column("address", "注册地址", ti.text(max_length=200), synonyms=("地址", "企业地址", "住所")),
        ti.Column("region", "注册地（县/区、镇/街道）", ti.text(max_length=50), synonyms=("注册地", "所属区域", "属地"),
                  help="空白时为本县"),
    ],
    prepare=_enterprises_prepare, validate=_enterprises_validate, save_rows=_enterprises_save,
    natural_key=lambda values: values["credit_code"],
    preview_columns=("name", "credit_code", "legal_representative"),
    back_url="enterprises:enterprise-list",
))
