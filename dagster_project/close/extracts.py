"""The chargeback and showback extracts of a month: its own rows and the adjustments it carries.

Both come from `marts.fct_showback_monthly` (the allocation mart): per owner, cost center and
environment, Σ BilledCost (chargeback: what each cost center is charged, cash basis) and Σ
EffectiveCost (showback: amortized). An adjustment row is a closed month's current amount minus
everything the closes froze for it (close.closed_showback).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import NamedTuple

import duckdb

from dagster_project.close.files import Column
from dagster_project.close.rounding import largest_remainder, round_total

SHOWBACK_MART = "marts.fct_showback_monthly"
DIMENSIONS = ("Owner", "Team", "BusinessUnit", "CostCenter", "Environment")


class Detail(NamedTuple):
    """One exact row at the showback grain: the month's own (`charge`) or an `adjustment`."""

    RowType: str
    CorrectsBillingPeriodStart: dt.date | None
    BillingPeriodStart: dt.date  # the month the amounts belong to
    Owner: str | None
    Team: str | None
    BusinessUnit: str | None
    CostCenter: str | None
    Environment: str | None
    BillingCurrency: str
    BilledCost: Decimal
    EffectiveCost: Decimal


@dataclass(frozen=True)
class Extract:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple]
    totals: dict[str, dict[str, str]]  # currency -> exact and rounded Σ of the amount column


def detail_rows(
    con: duckdb.DuckDBPyConnection, period: dt.date, carried: list[dt.date]
) -> list[Detail]:
    """The month's own rows, then the adjustments of the closed months it carries."""
    dims = ", ".join(DIMENSIONS)  # in Detail's order
    same = " and ".join(f"cur.{d} is not distinct from frozen.{d}" for d in DIMENSIONS)
    rows = con.execute(
        f"""
        with current_rows as (
            select BillingPeriodStart, {dims}, BillingCurrency,
                   sum(BilledCost) as BilledCost, sum(EffectiveCost) as EffectiveCost
            from {SHOWBACK_MART}
            where BillingPeriodStart = $period
               or BillingPeriodStart in (select unnest($carried::date[]))
            group by all
        ),
        frozen as (
            select BillingPeriodStart, {dims}, BillingCurrency,
                   sum(BilledCost) as BilledCost, sum(EffectiveCost) as EffectiveCost
            from close.closed_showback
            where BillingPeriodStart in (select unnest($carried::date[]))
            group by all
        ),
        adjustments as (
            select
                'adjustment' as RowType,
                coalesce(cur.BillingPeriodStart, frozen.BillingPeriodStart)
                    as CorrectsBillingPeriodStart,
                {", ".join(f"coalesce(cur.{d}, frozen.{d}) as {d}" for d in DIMENSIONS)},
                coalesce(cur.BillingCurrency, frozen.BillingCurrency) as BillingCurrency,
                coalesce(cur.BilledCost, 0) - coalesce(frozen.BilledCost, 0) as BilledCost,
                coalesce(cur.EffectiveCost, 0) - coalesce(frozen.EffectiveCost, 0) as EffectiveCost
            from (select * from current_rows where BillingPeriodStart <> $period) as cur
            full outer join frozen
                on cur.BillingPeriodStart = frozen.BillingPeriodStart and {same}
                and cur.BillingCurrency = frozen.BillingCurrency
        )
        select 'charge', null::date, BillingPeriodStart, {dims}, BillingCurrency,
               BilledCost, EffectiveCost
        from current_rows where BillingPeriodStart = $period
        union all
        select RowType, CorrectsBillingPeriodStart, CorrectsBillingPeriodStart, {dims},
               BillingCurrency, BilledCost, EffectiveCost
        from adjustments where BilledCost <> 0 or EffectiveCost <> 0
        order by 1 desc, 2, {dims}, BillingCurrency
        """,
        {"period": period, "carried": carried},
    ).fetchall()
    return [Detail(*row) for row in rows]


def _month(value: dt.date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


def build_extract(
    name: str, period: dt.date, details: list[Detail], dimensions: tuple[str, ...], amount: str
) -> Extract:
    """Sum the detail rows to `dimensions` and round `amount` per currency and part (the month's
    own rows, each closed month's adjustments), largest remainder."""
    summed: dict[tuple, Decimal] = {}
    for row in details:
        key = (
            row.RowType,
            _month(row.CorrectsBillingPeriodStart),
            row.BillingCurrency,
            *(getattr(row, d) for d in dimensions),
        )
        summed[key] = summed.get(key, Decimal(0)) + getattr(row, amount)
    # Currency first so each currency's rows are rounded together; the order is deterministic.
    ordered = sorted(
        summed.items(), key=lambda kv: (kv[0][2], kv[0][0] != "charge", *map(_text, kv[0]))
    )
    rows, exact_totals, rounded_totals = [], {}, {}
    # Rounded apart per currency and part (the month's own rows, each closed month's
    # adjustments), so that each part ties to the cent: the charges to the month's invoices, an
    # adjustment to its restatement.
    for (currency, *_), group in groupby(ordered, key=lambda kv: (kv[0][2], *kv[0][:2])):
        group = list(group)
        exact = [v for _, v in group]
        for (key, _), rounded in zip(group, largest_remainder(exact), strict=True):
            row_type, corrects, _, *dims = key
            rows.append((_month(period), row_type, corrects, currency, *dims, rounded))
        exact_totals[currency] = exact_totals.get(currency, Decimal(0)) + sum(exact, Decimal(0))
        rounded_totals[currency] = rounded_totals.get(currency, Decimal(0)) + round_total(
            sum(exact, Decimal(0))
        )
    totals = {
        currency: {
            "exact": f"{exact_totals[currency]:f}",
            "rounded": f"{rounded_totals[currency]:f}",
        }
        for currency in exact_totals
    }
    columns = (
        Column("BillingPeriod"),
        Column("RowType"),
        Column("CorrectsBillingPeriod"),
        Column("BillingCurrency"),
        *(Column(d) for d in dimensions),
        Column(amount, money=True),
    )
    return Extract(name, columns, rows, totals)


def _text(value) -> str:
    return "" if value is None else str(value)


def extracts(period: dt.date, details: list[Detail]) -> list[Extract]:
    return [
        build_extract(
            "chargeback",
            period,
            details,
            ("CostCenter", "Owner", "Team", "BusinessUnit"),
            "BilledCost",
        ),
        build_extract(
            "showback",
            period,
            details,
            ("CostCenter", "Owner", "Team", "BusinessUnit", "Environment"),
            "EffectiveCost",
        ),
    ]
