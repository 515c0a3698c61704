"""The owners register from Excel (业主名册导入) on core.tabular_import: one row per unit, with
the estate by name among the user's estates. A unit already in the register is updated (its
names, phone and area), a new one added. Estates with an open vote are refused row by row: the
quorum's base is frozen while a vote runs."""

from collections import Counter
from decimal import Decimal

from communities.models import Estate
from core import tabular_import as ti
from core.bulk import bulk_insert
from core.errors import InvalidInput

from . import privacy
from .models import OwnerRegisterEvent, OwnerUnit, Vote, VoteStatus


def _names(value) -> str:
    names = [n.strip() for n in str(value).replace(",", "、").replace("，", "、").replace("/", "、").split("、")]
    joined = privacy.NAME_SEPARATOR.join(n for n in names if n)
    if len(joined) > 200:
        raise InvalidInput("不能超过 200 个字")
    return joined


_names.kind = "文本，共有人用“、”分隔"


def _prepare(rows, *, user) -> dict:
    estates = Estate.objects.visible_to(user).only("pk", "name")
    by_name: dict[str, list[Estate]] = {}
    for estate in estates:
        by_name.setdefault(estate.name.strip(), []).append(estate)
    wanted = {r.values.get("estate") for r in rows}
    matched = [e.pk for name in wanted for e in by_name.get(name, [])]
    return {
        "by_name": by_name,
        "voting": set(Vote.objects.filter(estate_id__in=matched, status=VoteStatus.OPEN).values_list("estate_id", flat=True)),
        "existing": {(u.estate_id, u.unit): u for u in OwnerUnit.objects.filter(estate_id__in=matched)},
    }


def _validate(row, *, context, user) -> None:
    found = context["by_name"].get(row.values["estate"], [])
    if not found:
        raise InvalidInput(f"小区名称：“{row.values['estate']}”不在您的管辖范围内")
    if len(found) > 1:
        raise InvalidInput(f"小区名称：辖区内有 {len(found)} 个“{row.values['estate']}”，请联系县专班核对小区名称")
    estate = found[0]
    if estate.pk in context["voting"]:
        raise InvalidInput("该小区正在表决，表决结束前不能修改业主名册")
    row.values["estate_id"] = estate.pk
    row.note = "更新" if (estate.pk, row.values["unit"]) in context["existing"] else "新增"


def _save(rows, *, user, context) -> dict:
    existing = context["existing"]
    new, changed = [], []
    for row in rows:
        v = row.values
        names, phone = privacy.owner_encrypt(v["owner_names"]), privacy.owner_encrypt(v.get("phone") or "")
        unit = existing.get((v["estate_id"], v["unit"]))
        if unit is None:
            new.append((v["estate_id"], v["unit"], v["area"], names, phone))
        else:
            unit.area, unit.owner_names_encrypted, unit.phone_encrypted = v["area"], names, phone
            changed.append(unit)
    bulk_insert(OwnerUnit, ["estate_id", "unit", "area", "owner_names_encrypted", "phone_encrypted"], new)
    OwnerUnit.objects.bulk_update(changed, ["area", "owner_names_encrypted", "phone_encrypted"], batch_size=500)
    per_estate = Counter(r.values["estate_id"] for r in rows)
    OwnerRegisterEvent.objects.bulk_create(
        OwnerRegisterEvent(estate_id=estate_id, actor=user, kind="imported", note=f"导入 {count} 户",
                           data={"rows": count})
        for estate_id, count in per_estate.items()
    )
    return {"imported": len(rows), "message": f"已导入 {len(rows)} 户（新增 {len(new)} 户，更新 {len(changed)} 户）。"}


OWNER_IMPORT = ti.register(ti.RowSchema(
    key="votes.owners", title="业主名册", capability="owners.manage",
    description="一户（一个专有部分）一行，共有人写在同一行，用“、”分隔。",
    columns=[
        ti.Column("estate", "小区名称", ti.text(max_length=100), required=True, synonyms=("小区", "项目名称"),
                  example="海阳花园"),
        ti.Column("unit", "房号", ti.text(max_length=60), required=True, synonyms=("房屋号", "门牌号", "户号"),
                  example="3栋2单元501"),
        ti.Column("owner_names", "业主姓名", _names, required=True, synonyms=("业主", "姓名", "产权人"),
                  example="张三、李四"),
        ti.Column("area", "专有部分面积", ti.decimal(places=2, min_value=Decimal("0.01"), max_digits=10), required=True,
                  synonyms=("建筑面积", "面积", "专有部分面积（㎡）", "面积（㎡）"), example="89.50"),
        ti.Column("phone", "联系电话", ti.text(max_length=20), synonyms=("电话", "手机号"), example="13800138000"),
    ],
    prepare=_prepare, validate=_validate, save_rows=_save,
    natural_key=lambda values: (values["estate"], values["unit"]),
    preview_columns=("estate", "unit", "area"),
    back_url="votes:vote-list",
))
