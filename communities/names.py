"""Estate names as people and other systems write them, matched like a person would: the exact
name first, then the name with spaces, full-width characters, punctuation, building numbers and
a trailing 小区 taken away, then the estate's aliases, then (only where it is unique) the name
without its 花园 / 苑 / 家园 … suffix. Used by every import that names an estate."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from .models import Estate, EstateAlias

_PUNCTUATION = re.compile(r"[\s·•・.,，。、\-—_()（）【】\[\]\"“”'‘’:：/\\#＃*]+")
#: 3栋 / 3号楼 / 3幢2单元 / 5-2-301 / 12号 / B区… at the end of a name
_BUILDING = re.compile(
    r"(?:[0-9一二三四五六七八九十百零〇a-z]+(?:号楼|栋|幢|座|号|单元|楼|室|期|区))+$"
    r"|[0-9]+(?:-[0-9]+)*$"
)
_TRAILING = ("小区", "住宅小区", "住宅区", "生活区")
#: suffixes people drop when they say the name: only used when the shorter name is unique
_SUFFIXES = ("花园", "家园", "新村", "公寓", "苑", "园", "庭", "府", "城", "居", "里", "湾")


def exact_key(name) -> str:
    """The name as typed, without spaces (what the importer always compared)."""
    return re.sub(r"\s+", "", str(name or ""))


def estate_key(name) -> str:
    """Full-width → half-width, lower case, no spaces or punctuation, no building number or
    trailing 小区: '阳光花园 3栋' / '阳光花园小区' / '阳光花园（二期）' all give '阳光花园'."""
    text = unicodedata.normalize("NFKC", str(name or "")).lower()
    text = _PUNCTUATION.sub("", text)
    for _ in range(3):
        shorter = _BUILDING.sub("", text)
        for suffix in _TRAILING:
            if shorter.endswith(suffix) and len(shorter) > len(suffix) + 1:
                shorter = shorter[: -len(suffix)]
        if shorter == text or len(shorter) < 2:
            break
        text = shorter
    return text


def base_key(name) -> str:
    """estate_key without a common suffix ('阳光花园' → '阳光'), for the last, unique-only tier."""
    key = estate_key(name)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


@dataclass
class EstateIndex:
    """Estates of a queryset indexed by each tier's key. `match(name, region)` returns
    (estate, candidates): the estate when exactly one matches at the first tier that finds any."""

    exact: dict = field(default_factory=dict)
    normal: dict = field(default_factory=dict)
    alias: dict = field(default_factory=dict)
    base: dict = field(default_factory=dict)

    @classmethod
    def build(cls, estates, aliases=()) -> "EstateIndex":
        index = cls()
        for estate in estates:
            index.exact.setdefault(exact_key(estate.name), []).append(estate)
            index.normal.setdefault(estate_key(estate.name), []).append(estate)
            index.base.setdefault(base_key(estate.name), []).append(estate)
        by_pk = {e.pk: e for tier in index.normal.values() for e in tier}
        for estate_id, key in aliases:
            estate = by_pk.get(estate_id)
            if estate is not None and estate not in index.alias.get(key, []):
                index.alias.setdefault(key, []).append(estate)
        return index

    def candidates(self, name: str, region: str = "") -> list:
        region_n = estate_key(region)
        key = estate_key(name)
        for tier, lookup in ((self.exact, exact_key(name)), (self.normal, key), (self.alias, key), (self.base, base_key(name))):
            found = tier.get(lookup, [])
            if region_n and len(found) > 1:
                narrowed = [e for e in found if estate_key(e.community.parent.name) in region_n
                            or estate_key(e.community.name) in region_n]
                found = narrowed or found
            if tier is self.base and len(found) != 1:
                continue  # a shortened name only counts when it names one estate
            if found:
                return found
        return []


def estate_index_for(queryset) -> EstateIndex:
    estates = list(queryset.select_related("community__parent"))
    aliases = EstateAlias.objects.filter(estate__in=queryset.values("pk")).values_list("estate_id", "key")
    return EstateIndex.build(estates, aliases)


def estate_alias_remember(*, estate: Estate, name: str, user) -> bool:
    """Keeps `name` as an alias of `estate` unless it already finds that estate. Returns whether
    an alias was added."""
    name = str(name or "").strip()[:100]
    key = estate_key(name)
    if not key or key == estate_key(estate.name):
        return False
    with transaction.atomic():
        _alias, created = EstateAlias.objects.get_or_create(estate=estate, key=key, defaults={"name": name, "created_by": user})
    return created
