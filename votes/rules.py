"""民法典 第二百七十八条 as arithmetic: the quorum and the two majorities, with exact fractions.

Quorum (参与表决): owners whose units hold at least two thirds of the estate's floor area AND at
least two thirds of the owners take part. Items 6–8 of the article (筹集维修资金; 改建、重建;
改变共有部分的用途或者利用共有部分从事经营活动) need at least three quarters of the participating
area AND of the participating owners; every other matter (选聘、解聘物业服务企业, 使用维修资金 —
item 5 —, rules, …) more than half of both. "以上" includes the bound, "过半数" does not.

Areas are Decimal (square metres to the hundredth), counts integers; every comparison is done on
Fractions, so 2/3 of 300.00 ㎡ is exactly 200 ㎡ and never 199.99999."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import models

QUORUM = Fraction(2, 3)


class Majority(models.TextChoices):
    SIMPLE = "simple", "参与表决面积、人数均过半数"
    SPECIAL = "special", "参与表决面积、人数均达四分之三以上"


#: a majority's bound and whether reaching it exactly is enough
MAJORITY_BOUNDS = {
    Majority.SIMPLE: (Fraction(1, 2), False),
    Majority.SPECIAL: (Fraction(3, 4), True),
}


class MatterKind(models.TextChoices):
    DISMISS = "dismiss", "解聘物业服务企业"
    HIRE = "hire", "选聘物业服务企业"
    RENEW = "renew", "续聘物业服务企业"
    FUND_USE = "fund_use", "使用专项维修资金"
    FUND_RAISE = "fund_raise", "筹集专项维修资金"
    REBUILD = "rebuild", "改建、重建建筑物及其附属设施"
    COMMON_USE = "common_use", "改变共有部分用途或利用共有部分从事经营活动"
    PUBLIC_REVENUE = "public_revenue", "公共收益的使用和分配"
    RULES = "rules", "制定或修改管理规约、业主大会议事规则"
    OTHER = "other", "其他共有和共同管理事项"


#: the majority each kind of matter needs (第二百七十八条第二款)
MAJORITY_BY_KIND = {
    MatterKind.DISMISS: Majority.SIMPLE,
    MatterKind.HIRE: Majority.SIMPLE,
    MatterKind.RENEW: Majority.SIMPLE,
    MatterKind.FUND_USE: Majority.SIMPLE,  # item (五): 使用维修资金
    MatterKind.FUND_RAISE: Majority.SPECIAL,  # item (六)
    MatterKind.REBUILD: Majority.SPECIAL,  # item (七)
    MatterKind.COMMON_USE: Majority.SPECIAL,  # item (八)
    MatterKind.PUBLIC_REVENUE: Majority.SIMPLE,  # item (九): other major matters
    MatterKind.RULES: Majority.SIMPLE,
    MatterKind.OTHER: Majority.SIMPLE,
}


def share(part, whole) -> Fraction:
    """part / whole exactly (Decimal and int both convert to Fraction without rounding)."""
    whole = Fraction(whole)
    return Fraction(part) / whole if whole else Fraction(0)


def percent(part, whole) -> str:
    """For display only: the share as a percentage with two decimals."""
    value = share(part, whole) * 100
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}%"


def quorum_met(*, total_area: Decimal, total_owners: int, voted_area: Decimal, voted_owners: int) -> bool:
    if not total_area or not total_owners:
        return False
    return share(voted_area, total_area) >= QUORUM and share(voted_owners, total_owners) >= QUORUM


def majority_reached(*, majority: str, voted_area: Decimal, voted_owners: int, yes_area: Decimal, yes_owners: int) -> bool:
    bound, inclusive = MAJORITY_BOUNDS[Majority(majority)]
    if not voted_area or not voted_owners:
        return False
    area, owners = share(yes_area, voted_area), share(yes_owners, voted_owners)
    if inclusive:
        return area >= bound and owners >= bound
    return area > bound and owners > bound


@dataclass(frozen=True)
class MatterTally:
    """One matter's figures at close and what they decide."""

    total_area: Decimal
    total_owners: int
    voted_area: Decimal
    voted_owners: int
    yes_area: Decimal
    yes_owners: int
    majority: str

    @property
    def quorum(self) -> bool:
        return quorum_met(total_area=self.total_area, total_owners=self.total_owners,
                          voted_area=self.voted_area, voted_owners=self.voted_owners)

    @property
    def majority_met(self) -> bool:
        return majority_reached(majority=self.majority, voted_area=self.voted_area, voted_owners=self.voted_owners,
                                yes_area=self.yes_area, yes_owners=self.yes_owners)

    @property
    def passed(self) -> bool:
        return self.quorum and self.majority_met
