"""Demo county for `seed_demo`: 休宁县 with its towns, communities and ~60 estates, plus a
neighbouring district so the city user sees more than one county."""

import random
from datetime import date

from .models import Estate, ManagementType, OwnersBodyStatus, Region, RegionLevel, ServiceLevel

TOWNS = {
    # code: (name, [communities])
    "341022100": ("海阳镇", ["秀阳社区", "夹溪社区", "城北社区", "玉宁社区", "状元社区"]),
    "341022101": ("齐云山镇", ["岩前社区"]),
    "341022102": ("万安镇", ["万安社区", "横江社区"]),
    "341022103": ("五城镇", ["五城社区"]),
    "341022104": ("东临溪镇", ["东临溪社区", "汊口社区"]),
    "341022105": ("蓝田镇", ["蓝田社区"]),
}
NEIGHBOUR = ("341002", "屯溪区", {"341002001": ("昱中街道", ["荷花池社区", "老街社区"])})

ESTATE_PREFIXES = ["徽州", "海阳", "状元", "横江", "秀阳", "齐云", "松萝", "白岳", "夹溪", "率水", "新安", "万安"]
ESTATE_SUFFIXES = ["花园", "佳苑", "府", "新村", "雅居", "名都", "小区", "公馆", "家园", "锦城"]


def _region(code, name, level, parent):
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    province = _region("340000", "安徽省", RegionLevel.PROVINCE, None)
    city = _region("341000", "黄山市", RegionLevel.CITY, province)
    county = _region("341022", "休宁县", RegionLevel.COUNTY, city)
    towns, communities = {}, []
    for code, (town_name, community_names) in TOWNS.items():
        town = _region(code, town_name, RegionLevel.TOWN, county)
        towns[town_name] = town
        for index, community_name in enumerate(community_names, start=1):
            communities.append(_region(f"{code}{index:03d}", community_name, RegionLevel.COMMUNITY, town))
    district_code, district_name, district_towns = NEIGHBOUR
    district = _region(district_code, district_name, RegionLevel.COUNTY, city)
    neighbour_communities = []
    for code, (town_name, community_names) in district_towns.items():
        town = _region(code, town_name, RegionLevel.TOWN, district)
        for index, community_name in enumerate(community_names, start=1):
            neighbour_communities.append(_region(f"{code}{index:03d}", community_name, RegionLevel.COMMUNITY, town))

    enterprises = context["enterprises"]
    names = [p + s for p in ESTATE_PREFIXES for s in ESTATE_SUFFIXES]
    rng.shuffle(names)
    haiyang = [c for c in communities if c.parent.name == "海阳镇"]
    others = [c for c in communities if c.parent.name != "海阳镇"]
    # 海阳镇 is the county seat: half of the county's estates are there.
    placements = [haiyang[i % len(haiyang)] for i in range(30)] + [others[i % len(others)] for i in range(30)]
    placements += [neighbour_communities[i % len(neighbour_communities)] for i in range(6)]
    estates = []
    for name, community in zip(names, placements, strict=False):
        has_enterprise = rng.random() > 0.1
        elevators = rng.choice([0, 0, 2, 4, 6, 8, 12])
        start = date(rng.randint(2016, 2024), rng.choice([1, 4, 7, 10]), 1)
        estates.append(
            Estate(
                name=name,
                community=community,
                address=f"{community.parent.name}{name.rstrip('小区')}路{rng.randint(1, 300)}号",
                building_count=rng.randint(3, 30),
                households=rng.randint(80, 1600),
                elevator_count=elevators,
                oldest_elevator_year=rng.randint(2003, 2020) if elevators else None,
                ev_charging_ports=rng.randint(0, 120),
                management_type=ManagementType.ENTERPRISE if has_enterprise else ManagementType.NONE,
                owners_body_status=rng.choice(list(OwnersBodyStatus.values)),
                owners_body_term_end=date(rng.randint(2025, 2028), rng.randint(1, 12), 28),
                has_party_organisation=rng.random() < 0.8,
                enterprise=rng.choice(enterprises) if has_enterprise else None,
                contract_start=start if has_enterprise else None,
                contract_end=date(start.year + 3, start.month, 1) if has_enterprise else None,
                service_level=rng.choice(list(ServiceLevel.values)) if has_enterprise else "",
                contract_filing_number=f"休物备{start.year}{rng.randint(1, 999):03d}" if has_enterprise else "",
            )
        )
    Estate.objects.bulk_create(estates)
    context.update(province=province, city=city, county=county, towns=towns, communities=communities, district=district)
