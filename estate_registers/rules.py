"""The limits an estate follows: its nearest region's RegisterRule, else these defaults.

Where the defaults come from:
- lift maintenance every 15 days: 《特种设备安全监察条例》第三十一条 (电梯应当至少每15日进行一次
  清洁、润滑、调整和检查) and TSG T5002-2017《电梯维护保养规则》's 半月维护保养 items. Counties in
  the 按需维保 pilot set their own interval in the rule.
- lifts older than 15 years: the campaigns' 老旧电梯 (钟山 (三), 休宁 (三)) name no age; 15 years is
  the age many provincial 老旧电梯更新改造 programmes use as the threshold for assessment. A
  county setting, not a national rule.
- maintenance fund collected and not transferred within 30 days, contract not filed within 30
  days: 钟山 (六) says only "没有及时上缴", the plans give no number. 30 days is a placeholder
  each county replaces with its own regulation's number (RegisterRule.basis names it)."""

from dataclasses import dataclass

from communities import regions

from .models import RegisterRule


@dataclass(frozen=True)
class Limits:
    fund_transfer_days: int = 30
    contract_filing_days: int = 30
    lift_maintenance_days: int = 15
    lift_max_age_years: int = 15


def limits_index() -> dict[str, Limits]:
    return {
        rule.region.path: Limits(
            rule.fund_transfer_days, rule.contract_filing_days, rule.lift_maintenance_days, rule.lift_max_age_years
        )
        for rule in RegisterRule.objects.select_related("region")
    }


def limits_for_path(path: str, index: dict[str, Limits] | None = None) -> Limits:
    """The limits of the nearest region on `path` (a community path) that has a rule."""
    if index is None:
        index = limits_index()
    for prefix in reversed(regions.ancestors(path)):
        if prefix in index:
            return index[prefix]
    return Limits()
