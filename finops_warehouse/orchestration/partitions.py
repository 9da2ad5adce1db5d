"""Billing-month partitions and the translation of a partition into dbt variables.

A billing period is a calendar month (FOCUS BillingPeriodStart is the first instant of the month).
Dagster partition keys are the month's first day, `YYYY-MM-DD`, as MonthlyPartitionsDefinition
makes them; users speak of months as `YYYY-MM`, so both spellings are accepted here.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import dagster as dg

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")


def month_start(period: str) -> dt.date:
    """The first day of a billing month given as `YYYY-MM` or `YYYY-MM-01`."""
    match = _MONTH.match(period.strip())
    if not match:
        raise ValueError(f"billing period {period!r} is not a month: write it as YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"billing period {period!r} has no month {month}: write it as YYYY-MM")
    return dt.date(year, month, 1)


def partition_key(period: str) -> str:
    """The Dagster partition key of a billing month (`YYYY-MM-01`)."""
    return month_start(period).isoformat()


def period_label(key: str) -> str:
    """The `YYYY-MM` spelling of a partition key, as people and file names use it."""
    return month_start(key).strftime("%Y-%m")


# The first month Dagster shows and runs: FINOPS_FIRST_BILLING_MONTH (YYYY-MM), the first month
# of a company's data, else early enough for any export a company still keeps. end_offset=1
# includes the open month.
FIRST_BILLING_MONTH = partition_key(os.environ.get("FINOPS_FIRST_BILLING_MONTH") or "2020-01")

billing_month_partitions = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_BILLING_MONTH, end_offset=1
)


def before_first_month(periods: set[str]) -> list[str]:
    """The billing months (`YYYY-MM`) that fall before the first partition, sorted."""
    return sorted(p for p in periods if partition_key(p) < FIRST_BILLING_MONTH)


def partition_range_to_dbt_env(first: str, last: str) -> dict[str, str]:
    """The environment of a dbt build over the billing months first..last (both included): the
    models that grow with the bill replace exactly these months
    (macros/incremental/billing_periods.sql)."""
    end = (month_start(last).replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {
        "FINOPS_BILLING_PERIOD_START": month_start(first).isoformat(),
        "FINOPS_BILLING_PERIOD_END": end.isoformat(),
    }


def months_between(first: str, last: str) -> list[str]:
    """Every billing month from first to last (both included), as `YYYY-MM`."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month.strftime("%Y-%m"))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def partition_range(periods: set[str]) -> tuple[str, str]:
    """First and last partition key covering a set of billing months (one single-run range)."""
    if not periods:
        raise ValueError("no billing period to cover")
    keys = sorted(partition_key(p) for p in periods)
    return keys[0], keys[-1]


def current_partition_key() -> str:
    """The partition of the open billing month (today, UTC)."""
    return dt.datetime.now(dt.UTC).date().replace(day=1).isoformat()
