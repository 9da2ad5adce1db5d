"""How a DuckDB build slices a range of billing months (macros/incremental/billing_periods.sql).

The live line items per month come from raw.ingest_partitions, written here; the slices are
read from `dbt run-operation show_billing_period_slices`, the macro the build's hooks use.
Whether the slices add up to the same marts is tested end to end in test_incremental.py.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from dbt_runs import run_dbt_on

# Live line items per month; a superseded delivery does not count toward a slice.
PARTITIONS = [
    ("2026-01-01", 10, "loaded"),
    ("2026-02-01", 10, "loaded"),
    ("2026-02-01", 99, "superseded"),
    ("2026-03-01", 25, "loaded"),
    ("2026-04-01", 5, "loaded"),
    ("2026-05-01", 5, "loaded"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("slices") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.ingest_partitions (billing_period date, rows bigint, status varchar)"
        )
        con.executemany("insert into raw.ingest_partitions values (?, ?, ?)", PARTITIONS)
    return path


def _slices(monkeypatch, warehouse, tmp_path, start, end, first_build, budget):
    """The [start, end) slices a build of the range would take, as dbt prints them."""
    monkeypatch.setenv("FINOPS_BILLING_PERIOD_START", start)
    monkeypatch.setenv("FINOPS_BILLING_PERIOD_END", end)
    monkeypatch.setenv("FINOPS_BUILD_SLICE_ROWS", budget)
    args = "{first_build: %s}" % ("true" if first_build else "false")
    done = run_dbt_on(
        warehouse, ["run-operation", "show_billing_period_slices", "--args", args], tmp_path
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return re.findall(r"slice (\S+) (\S+)", done.stdout)


def test_months_are_grouped_up_to_the_budget_and_a_larger_month_stands_alone(
    monkeypatch, warehouse, tmp_path
):
    slices = _slices(monkeypatch, warehouse, tmp_path, "2026-01-01", "2026-06-01", False, "20")
    assert slices == [
        ("2026-01-01", "2026-03-01"),  # 10 + 10: the budget, not more
        ("2026-03-01", "2026-04-01"),  # 25 alone
        ("2026-04-01", "2026-06-01"),
    ]


def test_a_first_build_covers_every_loaded_month_whatever_the_range(
    monkeypatch, warehouse, tmp_path
):
    slices = _slices(monkeypatch, warehouse, tmp_path, "2026-03-01", "2026-04-01", True, "20")
    assert slices == [
        ("0001-01-01", "2026-03-01"),
        ("2026-03-01", "2026-04-01"),
        ("2026-04-01", "9999-12-31"),
    ]


def test_one_slice_when_the_budget_holds_the_range(monkeypatch, warehouse, tmp_path):
    slices = _slices(
        monkeypatch, warehouse, tmp_path, "2026-01-01", "2026-06-01", False, "16000000"
    )
    assert slices == [("2026-01-01", "2026-06-01")]
