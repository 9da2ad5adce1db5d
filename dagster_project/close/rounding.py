"""Largest-remainder rounding: rounded parts that still sum to the rounded whole."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_total(amount: Decimal, unit: Decimal = CENT) -> Decimal:
    """An amount rounded half up (away from zero) to the unit, as finance rounds an invoice."""
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


def largest_remainder(amounts: Sequence[Decimal], unit: Decimal = CENT) -> list[Decimal]:
    """Round every amount to `unit` so that the parts sum exactly to the rounded exact total.

    Each part is first rounded down; the units still missing to reach the rounded total go, one
    each, to the parts with the largest remainders (ties: the earlier part, so the result
    depends only on the order the caller gives).
    """
    if not amounts:
        return []
    floors = [a.quantize(unit, rounding=ROUND_FLOOR) for a in amounts]
    missing = int((round_total(sum(amounts, Decimal(0)), unit) - sum(floors)) / unit)
    # Σ floors <= floor(total) <= rounded total <= Σ floors + n units, so 0 <= missing <= n.
    by_remainder = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] - floors[i]), i))
    rounded = list(floors)
    for i in by_remainder[:missing]:
        rounded[i] += unit
    return rounded
