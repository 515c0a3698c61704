"""民法典 第二百七十八条 at its edges: the quorum at exactly two thirds and just under, a simple
majority at exactly half (fails: 过半数 is more than half), a special majority at exactly three
quarters (passes: 以上 includes the bound) and just under."""

from decimal import Decimal

import pytest

from votes.rules import MAJORITY_BY_KIND, Majority, MatterKind, MatterTally, majority_reached, quorum_met


def test_quorum_at_exactly_two_thirds_of_area_and_owners():
    assert quorum_met(total_area=Decimal("300.00"), total_owners=3, voted_area=Decimal("200.00"), voted_owners=2)


def test_quorum_just_under_two_thirds_of_area_fails_even_with_every_owner_but_one():
    assert not quorum_met(total_area=Decimal("300.00"), total_owners=3, voted_area=Decimal("199.99"), voted_owners=2)


def test_quorum_needs_both_area_and_owners():
    # 2/3 of the area but only 1 of 3 owners
    assert not quorum_met(total_area=Decimal("300.00"), total_owners=3, voted_area=Decimal("250.00"), voted_owners=1)
    # 2 of 3 owners but under 2/3 of the area
    assert not quorum_met(total_area=Decimal("300.00"), total_owners=3, voted_area=Decimal("150.00"), voted_owners=2)


def test_quorum_with_awkward_area_is_exact_not_floating():
    # 2/3 of 100.01 is 66.673333…: 66.67 is under, 66.68 over; floats would blur this
    assert not quorum_met(total_area=Decimal("100.01"), total_owners=3, voted_area=Decimal("66.67"), voted_owners=2)
    assert quorum_met(total_area=Decimal("100.01"), total_owners=3, voted_area=Decimal("66.68"), voted_owners=2)


def test_empty_register_never_has_quorum():
    assert not quorum_met(total_area=Decimal("0"), total_owners=0, voted_area=Decimal("0"), voted_owners=0)


def test_simple_majority_at_exactly_half_fails():
    assert not majority_reached(majority=Majority.SIMPLE, voted_area=Decimal("200.00"), voted_owners=4,
                                yes_area=Decimal("100.00"), yes_owners=2)


def test_simple_majority_needs_more_than_half_of_both():
    assert majority_reached(majority=Majority.SIMPLE, voted_area=Decimal("200.00"), voted_owners=4,
                            yes_area=Decimal("100.01"), yes_owners=3)
    # more than half the area, exactly half the owners
    assert not majority_reached(majority=Majority.SIMPLE, voted_area=Decimal("200.00"), voted_owners=4,
                                yes_area=Decimal("150.00"), yes_owners=2)


def test_special_majority_at_exactly_three_quarters_passes():
    assert majority_reached(majority=Majority.SPECIAL, voted_area=Decimal("400.00"), voted_owners=4,
                            yes_area=Decimal("300.00"), yes_owners=3)


def test_special_majority_just_under_three_quarters_fails():
    assert not majority_reached(majority=Majority.SPECIAL, voted_area=Decimal("400.00"), voted_owners=4,
                                yes_area=Decimal("299.99"), yes_owners=3)


@pytest.mark.parametrize("kind", [MatterKind.FUND_RAISE, MatterKind.REBUILD, MatterKind.COMMON_USE])
def test_items_six_to_eight_need_three_quarters(kind):
    assert MAJORITY_BY_KIND[kind] == Majority.SPECIAL


@pytest.mark.parametrize("kind", [MatterKind.DISMISS, MatterKind.HIRE, MatterKind.RENEW, MatterKind.FUND_USE,
                                  MatterKind.RULES, MatterKind.PUBLIC_REVENUE, MatterKind.OTHER])
def test_other_matters_need_more_than_half(kind):
    assert MAJORITY_BY_KIND[kind] == Majority.SIMPLE


def test_a_matter_passes_only_with_quorum_and_majority():
    # 3 of 4 owners voted, all yes, but they hold only 60 % of the area: no quorum, no decision
    tally = MatterTally(total_area=Decimal("400.00"), total_owners=4, voted_area=Decimal("240.00"), voted_owners=3,
                        yes_area=Decimal("240.00"), yes_owners=3, majority=Majority.SIMPLE)
    assert tally.majority_met and not tally.quorum and not tally.passed
