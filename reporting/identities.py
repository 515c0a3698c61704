"""What must hold between the registered figures (reporting.figures), stated once: the workbook's
说明 prints IDENTITIES, and tests/reporting/test_identities.py checks every one on the demo's
months and on generated data. `check` returns the identities that fail, each with the figure's
code, the region and the two sides, so a failure names what to look at."""

from dataclasses import dataclass
from datetime import date

from communities.models import Region, RegionLevel

from . import figures as registry

#: the beginning of time for figures "to date" (ratings and replies so far)
EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class Identity:
    code: str
    statement: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    relation: str = "="  # "=" or "<="
    to_date: bool = False  # compared over everything up to the period's end


CLUE_SOURCES = ("clues_complaint", "clues_inspection", "clues_self_check", "clues_other")
CHANNELS = ("complaints_12345", "complaints_petition", "complaints_livelihood", "complaints_online_opinion",
            "complaints_huashuo", "complaints_qr_form", "complaints_other_channels")
GROUPS = ("A", "B", "C", "D", "E", "F", "G")
RATINGS = ("satisfaction_satisfied", "satisfaction_basically", "satisfaction_unsatisfied")

IDENTITIES = [
    Identity("clues_total", "收到线索 = 其中各来源之和", ("clues_total",), CLUE_SOURCES),
    Identity("complaints_total", "受理投诉 = 各渠道之和", ("complaints_total",), CHANNELS),
    Identity("cases_opened", "新立案件 = A–G类问题数之和（每个案件属于一个问题类别）",
             ("cases_opened",), tuple(f"group_{g}_opened" for g in GROUPS)),
    Identity("closed", "已销号 = A–G类已销号之和", ("closed",), tuple(f"group_{g}_closed" for g in GROUPS)),
    Identity("cases_opened<=clues_total", "新立案件 ≤ 收到线索（每个案件由一条线索立案）",
             ("cases_opened",), ("clues_total",), "<="),
    Identity("clues_complaint<=complaints_total", "其中：投诉举报 ≤ 受理投诉（每件投诉至多一条线索）",
             ("clues_complaint",), ("complaints_total",), "<="),
    Identity("ratings<=replies", "截至期末的评价总数 ≤ 截至期末反馈办理结果数（先反馈，后评价）",
             RATINGS, ("complaints_replied",), "<=", to_date=True),
    Identity("closed_on_time_to_date<=closed_to_date", "累计按时销号 ≤ 累计销号",
             ("closed_on_time_to_date",), ("closed_to_date",), "<="),
    Identity("closed_to_date<=cases_to_date", "累计销号 ≤ 累计应办案件", ("closed_to_date",), ("cases_to_date",), "<="),
    Identity("estates_inspected<=estates_managed", "已排查物业管理小区数 ≤ 物业管理小区数",
             ("estates_inspected",), ("estates_managed",), "<="),
    Identity("estates_unmanaged_inspected<=estates_unmanaged", "已排查无物业小区数 ≤ 无物业小区数",
             ("estates_unmanaged_inspected",), ("estates_unmanaged",), "<="),
    Identity("complaints_called_back<=complaints_replied_call_back", "已回访 ≤ 应回访",
             ("complaints_called_back",), ("complaints_replied_call_back",), "<="),
    Identity("complaints_replied_call_back<=complaints_replied", "应回访 ≤ 反馈办理结果",
             ("complaints_replied_call_back",), ("complaints_replied",), "<="),
    Identity("revenue_estates_with_account<=estates_managed", "已开设专门账户小区数 ≤ 物业管理小区数",
             ("revenue_estates_with_account",), ("estates_managed",), "<="),
    Identity("revenue_disclosures_on_time<=revenue_disclosures", "按期公示 ≤ 本期公示次数",
             ("revenue_disclosures_on_time",), ("revenue_disclosures",), "<="),
    Identity("cov_estates_committee", "住宅小区数 = 已成立业委会（物管会）的小区数 + 未成立的小区数",
             ("cov_estates",), ("cov_committee_estates", "cov_committee_missing")),
    Identity("cov_committees", "业委会（物管会）数 = 已成立业委会（物管会）的小区数（每个小区至多一个现任）",
             ("cov_committees",), ("cov_committee_estates",)),
    Identity("cov_committees_party", "业委会（物管会）数 = 已建立党组织的 + 未建立党组织的",
             ("cov_committees",), ("cov_party_committees", "cov_party_missing_committees")),
    Identity("cov_estates_party", "住宅小区数 = 已建立党组织的小区数 + 未建立党组织的小区数",
             ("cov_estates",), ("cov_party_estates", "cov_party_missing_estates")),
]

#: stated in 说明 beside the identities above (checked by the tests, not per row)
LEVEL_STATEMENTS = [
    "县（区）的每个数 = 其各镇（街道）之和；镇（街道）的每个数 = 其各社区之和；市、省看到的某县数 = 该县自己的数（覆盖率分子分母相同）。",
    "每个可点开的数 = 点开后的清单条数（页面与接口 /api/v1/ 使用相同筛选条件）。",
    "比率 = 分子 ÷ 分母，不超过 100%；分母为 0 时显示“—”。",
]


@dataclass(frozen=True)
class Failure:
    code: str
    region: str
    period: str
    left: object
    right: object
    relation: str

    def __str__(self):
        return f"{self.code} @ {self.region} {self.period}: {self.left} {self.relation} {self.right} 不成立"


def _side(values: dict, keys: tuple[str, ...]):
    return sum(values.get(key, 0) or 0 for key in keys)


def _holds(left, right, relation: str) -> bool:
    return left == right if relation == "=" else left <= right


def check_values(values: dict, *, region: str, period: str, identities=None, to_date_values: dict | None = None
                 ) -> list[Failure]:
    failures = []
    for identity in identities or IDENTITIES:
        source = to_date_values if identity.to_date else values
        if source is None:
            continue
        if not all(key in source for key in identity.left + identity.right):
            continue  # a provider that is not registered
        left, right = _side(source, identity.left), _side(source, identity.right)
        if not _holds(left, right, identity.relation):
            failures.append(Failure(identity.code, region, period, left, right, identity.relation))
    for rate in registry.rate_list():
        part, whole = rate.parts(values)
        if whole and part > whole:
            failures.append(Failure(rate.key, region, period, part, whole, "<="))
    return failures


def check(county: Region, start: date, end: date) -> list[Failure]:
    """Every identity for each town and community of the county, the county itself, and the
    county = Σ towns = Σ communities of each figure (levels)."""
    period = f"{start:%Y-%m-%d}~{end:%Y-%m-%d}"
    failures = []
    levels = {level: registry.collect(county, start, end, level=level)
              for level in (RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.COMMUNITY)}
    to_date = {level: registry.collect(county, EPOCH, end, level=level) for level in levels}
    names = dict(Region.objects.filter(path__startswith=county.path).values_list("pk", "name"))
    for level, units in levels.items():
        for unit_id, values in units.items():
            failures += check_values(values, region=names.get(unit_id, str(unit_id)), period=period,
                                     to_date_values=to_date[level].get(unit_id))
    parents = dict(Region.objects.filter(path__startswith=county.path).values_list("pk", "parent_id"))
    own = levels[RegionLevel.COUNTY].get(county.pk, {})
    towns = levels[RegionLevel.TOWN]
    for figure in registry.figure_list():
        key = figure.key
        # the county = Σ its towns; each town = Σ its communities
        pairs = [(county.name, "Σ镇", own.get(key, 0), sum(v.get(key) or 0 for v in towns.values()))]
        by_town: dict[int, int] = {}
        for unit_id, values in levels[RegionLevel.COMMUNITY].items():
            by_town[parents[unit_id]] = by_town.get(parents[unit_id], 0) + (values.get(key) or 0)
        pairs += [(names[town_id], "Σ社区", values.get(key, 0), by_town.get(town_id, 0))
                  for town_id, values in towns.items()]
        for region, parts, whole, summed in pairs:
            if whole != summed:
                failures.append(Failure(f"{key}={parts}", region, period, whole, summed, "="))
    return failures
