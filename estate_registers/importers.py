"""The lift register and the contract register from Excel, through the generic import
(core.tabular_import: preview, 仅导入有效行, error rows that import again, template). Each row
names its estate by name (with community / town where names repeat), within the user's scope,
and is written through the same service as the page (estate_registers.services), so it gets the
review workflow (待审核), its audit event and the estate's summary fields. Upsert by natural key:
a lift by 使用登记证号, a contract by (estate, start date); a corrected file imports again
without duplicates."""

import re
import unicodedata

from communities.models import Estate, ServiceLevel
from core import tabular_import as ti
from core.errors import InvalidInput
from enterprises.models import Enterprise

from . import services
from .models import ContractKind, FundingSource, Lift, RenewalStatus, ServiceContract

_PLACE_SUFFIXES = ("街道办事处", "街道", "社区居委会", "居委会", "村委会", "社区", "镇", "乡", "村")


def _place(name) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or "")))
    for suffix in _PLACE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


ESTATE_COLUMNS = [
    ti.Column("town", "镇/街道", ti.text(max_length=50), synonyms=("乡镇", "镇（街道）", "街道"),
              help="小区名称在本辖区重名时填写", example="海阳镇"),
    ti.Column("community", "社区/村", ti.text(max_length=50), synonyms=("社区", "所属社区"),
              help="小区名称在本辖区重名时填写", example="秀阳社区"),
    ti.Column("estate", "小区名称", ti.text(max_length=100), required=True, synonyms=("小区", "项目名称"),
              example="海阳花园"),
]


def _estates(rows, *, user) -> dict[str, list[Estate]]:
    names = {r.values["estate"] for r in rows if r.values.get("estate")}
    found: dict[str, list[Estate]] = {}
    for estate in Estate.objects.visible_to(user).filter(name__in=names).select_related("community__parent"):
        found.setdefault(estate.name, []).append(estate)
    return found


def _estate(values, *, context) -> Estate:
    candidates = context["estates"].get(values["estate"], [])
    if values.get("community"):
        candidates = [e for e in candidates if _place(e.community.name) == _place(values["community"])]
    if values.get("town"):
        candidates = [e for e in candidates if _place(e.community.parent.name) == _place(values["town"])]
    if not candidates:
        raise InvalidInput(f"小区“{values['estate']}”不存在或不在您的服务/管辖范围内")
    if len(candidates) > 1:
        raise InvalidInput(f"小区“{values['estate']}”有重名，请填写社区/村")
    return candidates[0]


# ---------------------------------------------------------------------------------------------
# Lifts


def _lifts_prepare(rows, *, user) -> dict:
    numbers = {r.values["registration_number"] for r in rows if r.values.get("registration_number")}
    return {
        "estates": _estates(rows, user=user),
        "existing": {lift.registration_number: lift for lift in Lift.objects.filter(registration_number__in=numbers)},
        "visible": set(Lift.objects.visible_to(user).filter(registration_number__in=numbers).values_list("pk", flat=True)),
    }


def _lifts_validate(row, *, context, user) -> None:
    values = row.values
    estate = _estate(values, context=context)
    values["estate_id"] = estate.pk
    existing = context["existing"].get(values["registration_number"])
    if existing is not None and (existing.pk not in context["visible"] or existing.estate_id != estate.pk):
        raise InvalidInput("该使用登记证号已登记在其他小区")
    values["pk"] = existing.pk if existing is not None else None
    renewal = values.get("renewal_status") or RenewalStatus.NONE
    if renewal != RenewalStatus.NONE and not values.get("renewal_applied_on"):
        raise InvalidInput("已申报更新改造的，请填写更新改造申报日期")
    row.note = "更新（重新提交审核）" if existing else "新增"


def _lifts_save(rows, *, user, context) -> dict:
    for row in rows:
        v = row.values
        services.lift_save(
            user=user, estate_id=v["estate_id"], pk=v["pk"], registration_number=v["registration_number"],
            location=v["location"], install_year=v["install_year"], maintenance_company=v["maintenance_company"],
            last_maintained_on=v.get("last_maintained_on"),
            in_service=True if v.get("in_service") is None else v["in_service"],
            renewal_status=v.get("renewal_status") or RenewalStatus.NONE,
            renewal_applied_on=v.get("renewal_applied_on"), funding_source=v.get("funding_source") or "",
            note=v.get("note") or "",
        )
    updated = sum(1 for r in rows if r.values["pk"])
    return {"imported": len(rows), "message": f"新增 {len(rows) - updated} 部电梯，更新 {updated} 部，均待镇（街道）审核"}


LIFT_IMPORT = ti.register(ti.RowSchema(
    key="estate_registers.lifts", title="电梯台账", capability="register.write",
    description="按使用登记证号新增或更新（再次导入同一文件只更新）；导入的记录为“待审核”，由镇（街道）审核。",
    columns=[
        *ESTATE_COLUMNS,
        ti.Column("registration_number", "使用登记证号", ti.text(max_length=50), required=True,
                  synonyms=("使用登记证编号", "登记证号"), example="梯11黄00123(25)"),
        ti.Column("location", "所在楼栋/单元", ti.text(max_length=100), required=True, synonyms=("楼栋", "位置"),
                  example="3栋1单元"),
        ti.Column("install_year", "投用年份", ti.integer(min_value=1950, max_value=2100), required=True,
                  synonyms=("投入使用年份", "安装年份"), example="2008"),
        ti.Column("maintenance_company", "维保单位", ti.text(max_length=100), required=True,
                  synonyms=("维护保养单位",), example="黄山市通达电梯工程有限公司"),
        ti.Column("last_maintained_on", "最近维保日期", ti.date_value(), example="2025-10-01"),
        ti.Column("in_service", "在用", ti.boolean(), help="空白视为在用", example="是"),
        ti.Column("renewal_status", "更新改造", ti.choice(RenewalStatus, synonyms={"已申报": RenewalStatus.APPLIED}),
                  example="无"),
        ti.Column("renewal_applied_on", "更新改造申报日期", ti.date_value()),
        ti.Column("funding_source", "资金来源", ti.choice(FundingSource, synonyms={"维修资金": "maintenance_fund"})),
        ti.Column("note", "说明", ti.text(max_length=200), synonyms=("备注",)),
    ],
    prepare=_lifts_prepare, validate=_lifts_validate, save_rows=_lifts_save,
    natural_key=lambda values: values.get("registration_number"),
    back_url="estate_registers:list-lifts",
))


# ---------------------------------------------------------------------------------------------
# Service contracts


def _contracts_prepare(rows, *, user) -> dict:
    names = {r.values["enterprise"] for r in rows if r.values.get("enterprise")}
    estates = _estates(rows, user=user)
    estate_ids = [e.pk for found in estates.values() for e in found]
    return {
        "estates": estates,
        "enterprises": {e.name: e for e in Enterprise.objects.filter(name__in=names)},
        "existing": {
            (c.estate_id, c.start): c.pk
            for c in ServiceContract.objects.visible_to(user).filter(estate_id__in=estate_ids).only("pk", "estate_id", "start")
        },
    }


def _contracts_validate(row, *, context, user) -> None:
    values = row.values
    estate = _estate(values, context=context)
    values["estate_id"] = estate.pk
    enterprise = context["enterprises"].get(values["enterprise"])
    if enterprise is None:
        raise InvalidInput(f"物业服务企业“{values['enterprise']}”未登记，请先导入企业名册")
    if user.is_enterprise_user and enterprise.pk != user.enterprise_id:
        raise InvalidInput("只能导入本企业的合同")
    values["enterprise_obj"] = enterprise
    if values["end"] < values["start"]:
        raise InvalidInput("合同结束日期不能早于开始日期")
    if bool(values.get("filing_number")) != bool(values.get("filed_on")):
        raise InvalidInput("备案号与备案日期须同时填写")
    values["pk"] = context["existing"].get((estate.pk, values["start"]))
    row.note = "更新（重新提交审核）" if values["pk"] else "新增"


def _contracts_save(rows, *, user, context) -> dict:
    for row in rows:
        v = row.values
        services.contract_save(
            user=user, estate_id=v["estate_id"], pk=v["pk"], enterprise=v["enterprise_obj"],
            kind=v.get("kind") or ContractKind.OWNERS, signed_on=v["signed_on"], start=v["start"], end=v["end"],
            service_level=v["service_level"], fee_standard=v["fee_standard"],
            filing_number=v.get("filing_number") or "", filed_on=v.get("filed_on"),
        )
    updated = sum(1 for r in rows if r.values["pk"])
    return {"imported": len(rows), "message": f"新增 {len(rows) - updated} 份合同，更新 {updated} 份，均待镇（街道）审核"}


CONTRACT_IMPORT = ti.register(ti.RowSchema(
    key="estate_registers.contracts", title="物业服务合同备案台账", capability="register.write",
    description="按“小区 + 合同开始日期”新增或更新；最新一份合同同步到小区的合同信息。",
    columns=[
        *ESTATE_COLUMNS,
        ti.Column("enterprise", "物业服务企业", ti.text(max_length=100), required=True, synonyms=("物业公司", "服务企业"),
                  example="海阳物业公司"),
        ti.Column("kind", "合同类型", ti.choice(ContractKind, synonyms={"前期": "preliminary", "前期物业服务合同": "preliminary",
                                                                       "物业服务合同": "owners"}), example="物业服务合同"),
        ti.Column("signed_on", "签订日期", ti.date_value(), required=True, example="2023-01-01"),
        ti.Column("start", "合同开始日期", ti.date_value(), required=True, example="2023-01-01"),
        ti.Column("end", "合同结束日期", ti.date_value(), required=True, synonyms=("合同到期日期",), example="2025-12-31"),
        ti.Column("service_level", "服务等级",
                  ti.choice(ServiceLevel, synonyms={f"{n}级": str(n) for n in range(1, 6)}), required=True, example="三级"),
        ti.Column("fee_standard", "物业费标准（元/㎡·月）", ti.decimal(places=2), required=True,
                  synonyms=("物业费标准", "收费标准"), example="1.20"),
        ti.Column("filing_number", "备案号", ti.text(max_length=50), synonyms=("合同备案号",)),
        ti.Column("filed_on", "备案日期", ti.date_value()),
    ],
    prepare=_contracts_prepare, validate=_contracts_validate, save_rows=_contracts_save,
    natural_key=lambda values: (values.get("estate"), values.get("community") or "", str(values.get("start"))),
    back_url="estate_registers:list-service-contracts",
))
