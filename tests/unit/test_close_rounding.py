"""Largest-remainder rounding of close extracts, and where adjustments of closed months land."""

import datetime as dt
from decimal import Decimal

import pytest

from dagster_project.close.rounding import largest_remainder, round_total
from dagster_project.close.state import carried_periods


def D(text: str) -> Decimal:
    return Decimal(text)


def test_rounded_parts_sum_to_the_rounded_total_where_naive_rounding_drifts():
    parts = [D("0.333"), D("0.333"), D("0.334")]
    assert sum(p.quantize(D("0.01")) for p in parts) == D("0.99")
    assert largest_remainder(parts) == [D("0.33"), D("0.33"), D("0.34")]
    thirds = [D("10") / 3] * 3
    assert sum(largest_remainder(thirds)) == D("10.00")
    assert largest_remainder(thirds) == [D("3.34"), D("3.33"), D("3.33")]  # tie: earliest part


@pytest.mark.parametrize(
    "parts",
    [
        [D("-0.005"), D("-0.005"), D("0.004")],
        [D("1234.5678901234"), D("-0.0049999999"), D("17.125"), D("-3.335")],
        [D("0.125")] * 7,
        [D("-1.115"), D("-2.225"), D("-3.335")],
    ],
)
def test_each_part_moves_less_than_a_cent_and_the_sum_is_the_rounded_total(parts):
    rounded = largest_remainder(parts)
    assert sum(rounded) == round_total(sum(parts))
    for exact, cents in zip(parts, rounded, strict=True):
        assert abs(exact - cents) < D("0.01")
        assert cents == cents.quantize(D("0.01"))


def test_totals_round_half_up_away_from_zero():
    assert round_total(D("2.345")) == D("2.35")
    assert round_total(D("-2.345")) == D("-2.35")
    assert largest_remainder([]) == []


def month(m: int) -> dt.date:
    return dt.date(2026, m, 1)


def test_changes_of_a_closed_month_land_in_the_first_open_month_after_it():
    # July and August closed, September open: both carry into September.
    assert carried_periods({month(7), month(8)}, month(9)) == [month(7), month(8)]
    # July closed, August open: July's changes land in August, not September.
    assert carried_periods({month(7)}, month(8)) == [month(7)]
    assert carried_periods({month(7)}, month(9)) == []
    # Nothing carries into a month before the closed one.
    assert carried_periods({month(9)}, month(8)) == []
