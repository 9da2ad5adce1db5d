"""The chargeback and showback extracts of a month: its own rows and the adjustments it carries.

The rules live in dbt: `marts.fct_close_extract_lines` holds every line of the extracts of each
open month, summed from the allocation mart (`marts.fct_showback_monthly`), adjusted for the
closed months the month carries (`marts.fct_close_extract_details`) and rounded to the
cent. This module only selects a month's lines, in the order the files list them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from finops_warehouse.close.files import Column

SHOWBACK_MART = "marts.fct_showback_monthly"
EXTRACT_LINES = "marts.fct_close_extract_lines"
# Extract name -> its amount column and key, in the files' column order.
EXTRACTS = {
    "chargeback": ("BilledCost", ("CostCenter", "Owner", "Team", "BusinessUnit")),
    "showback": ("EffectiveCost", ("CostCenter", "Owner", "Team", "BusinessUnit", "Environment")),
}


@dataclass(frozen=True)
class Extract:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple]
    totals: dict[str, dict[str, str]]  # currency -> exact and rounded Σ of the amount column


def carried_periods(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[dt.date]:
    """Closed months whose adjustments land in `period` (its first open month after them)."""
    rows = con.execute(
        "select CorrectsBillingPeriodStart from intermediate.int_close_adjustment_periods"
        " where AdjustmentBillingPeriodStart = $period order by 1",
        {"period": period},
    ).fetchall()
    return [row[0] for row in rows]


def extracts(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[Extract]:
    return [_extract(con, name, period, *EXTRACTS[name]) for name in EXTRACTS]


def _extract(
    con: duckdb.DuckDBPyConnection,
    name: str,
    period: dt.date,
    amount: str,
    dimensions: tuple[str, ...],
) -> Extract:
    # Each currency's rows together, the month's own rows before the adjustments; an empty key
    # sorts first, as the rounding breaks its ties.
    keys = ", ".join(dimensions)
    order = ", ".join(f"coalesce({d}, '')" for d in dimensions)
    rows = con.execute(
        f"""
        select strftime(BillingPeriodStart, '%Y-%m'), RowType,
               strftime(CorrectsBillingPeriodStart, '%Y-%m'), BillingCurrency, {keys},
               cast(AmountRounded as decimal(38, 2)), Amount
        from {EXTRACT_LINES}
        where BillingPeriodStart = $period and ExtractName = $name
        order by BillingCurrency, RowType <> 'charge', RowType,
                 CorrectsBillingPeriodStart nulls first, {order}
        """,
        {"period": period, "name": name},
    ).fetchall()
    exact: dict[str, Decimal] = {}
    rounded: dict[str, Decimal] = {}
    for row in rows:
        currency, cents, amount_exact = row[3], row[-2], row[-1]
        exact[currency] = exact.get(currency, Decimal(0)) + amount_exact
        rounded[currency] = rounded.get(currency, Decimal(0)) + cents
    totals = {c: {"exact": f"{exact[c]:f}", "rounded": f"{rounded[c]:f}"} for c in exact}
    columns = (
        Column("BillingPeriod"),
        Column("RowType"),
        Column("CorrectsBillingPeriod"),
        Column("BillingCurrency"),
        *(Column(d) for d in dimensions),
        Column(amount, money=True),
    )
    return Extract(name, columns, [row[:-1] for row in rows], totals)
