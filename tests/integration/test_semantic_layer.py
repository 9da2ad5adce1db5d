"""The semantic layer answers: `finops mf query` (MetricFlow's `mf` on the demo warehouse) for
every metric of the FOCUS metric pack equals the same figure computed by SQL on the marts, to the
cent for money and to 1e-9 for ratios."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

CENT = Decimal("0.01")

COST_METRICS = {
    # metric: SQL over the marts, grouped by month and currency, in the metric's own terms
    "billed_cost": ("sum(BilledCost)", "marts.fct_cost_and_usage", "ChargePeriodStart"),
    "effective_cost": ("sum(EffectiveCost)", "marts.fct_cost_and_usage", "ChargePeriodStart"),
    "list_cost": ("sum(ListCost)", "marts.fct_cost_and_usage", "ChargePeriodStart"),
    "commitment_eligible_cost": (
        "sum(EligibleCost)",
        "marts.fct_commitment_coverage_daily",
        "ChargeDate",
    ),
    "commitment_covered_cost": (
        "sum(CoveredCost)",
        "marts.fct_commitment_coverage_daily",
        "ChargeDate",
    ),
    "commitment_used_cost": (
        "sum(UsedAmount)",
        "marts.fct_commitment_utilization_daily",
        "ChargeDate",
    ),
    "commitment_cost": (
        "sum(UsedAmount + UnusedAmount)",
        "marts.fct_commitment_utilization_daily",
        "ChargeDate",
    ),
    "showback_cost": ("sum(EffectiveCost)", "marts.fct_showback_monthly", "BillingPeriodStart"),
    "chargeback_billed_cost": (
        "sum(BilledCost)",
        "marts.fct_showback_monthly",
        "BillingPeriodStart",
    ),
    "showback_shared_cost": (
        "sum(SharedEffectiveCost)",
        "marts.fct_showback_monthly",
        "BillingPeriodStart",
    ),
}
RATIO_METRICS = {
    "commitment_coverage": (
        "sum(CoveredCost) / sum(EligibleCost)",
        "marts.fct_commitment_coverage_daily",
        "ChargeDate",
    ),
    "commitment_utilization": (
        "sum(UsedAmount) / sum(UsedAmount + UnusedAmount)",
        "marts.fct_commitment_utilization_daily",
        "ChargeDate",
    ),
    "shared_cost_share": (
        "sum(SharedEffectiveCost) / sum(EffectiveCost)",
        "marts.fct_showback_monthly",
        "BillingPeriodStart",
    ),
}
COMPUTED = "UnitCostStatus = 'computed'"
UNIT_METRICS = {
    # per unit metric: a product's cost, its units and its unit cost are not addable across them
    "product_allocated_cost": "sum(AllocatedCost)",
    "unit_cost_allocated_cost": f"sum(case when {COMPUTED} then AllocatedCost end)",
    "metric_units": f"sum(case when {COMPUTED} then Units end)",
    "days_without_units": f"sum(case when {COMPUTED} then 0 else 1 end)",
    "unit_cost": (
        f"sum(case when {COMPUTED} then AllocatedCost end)"
        f" / sum(case when {COMPUTED} then Units end)"
    ),
}


def mf_query(finops_cli, demo_run, tmp_path: Path, metrics, group_by) -> list[dict]:
    _, env, _, _, _ = demo_run
    out = tmp_path / f"{metrics[0]}.csv"
    args = ["--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
    done = finops_cli("mf", "query", *args, "--decimals", "10", "--csv", str(out), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def by_month_and_currency(rows: list[dict], metric: str, *extra: str) -> dict[tuple, str]:
    return {
        (row["metric_time__month"][:7], row["currency"], *(row[e] for e in extra)): row[metric]
        for row in rows
        if row[metric] not in ("", "None")
    }


def from_marts(demo_run, expression: str, table: str, day: str, *extra: str) -> dict[tuple, object]:
    home = demo_run[0]
    keys = ", ".join(extra)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            f"""
            select strftime({day}, '%Y-%m'), BillingCurrency{", " + keys if keys else ""},
                   {expression}
            from {table}
            group by all
            having {expression} is not null
            """
        ).fetchall()
    # mf writes an empty field where SQL has NULL (an unallocated owner)
    return {tuple("" if k is None else k for k in row[:-1]): row[-1] for row in rows}


@pytest.fixture(scope="module")
def pack(finops_cli, demo_run, tmp_path_factory):
    assert demo_run[4].returncode == 0, demo_run[4].stdout + demo_run[4].stderr
    tmp = tmp_path_factory.mktemp("mf")
    return mf_query(
        finops_cli,
        demo_run,
        tmp,
        [*COST_METRICS, *RATIO_METRICS],
        ["metric_time__month", "currency"],
    )


@pytest.mark.parametrize("metric", COST_METRICS)
def test_money_metric_equals_the_marts_to_the_cent(demo_run, pack, metric):
    expected = from_marts(demo_run, *COST_METRICS[metric])
    answered = by_month_and_currency(pack, metric)
    assert expected, f"the demo has no rows for {metric}"
    assert {k: Decimal(v).quantize(CENT) for k, v in answered.items()} == {
        k: v.quantize(CENT) for k, v in expected.items()
    }


@pytest.mark.parametrize("metric", RATIO_METRICS)
def test_ratio_metric_equals_the_marts(demo_run, pack, metric):
    expected = from_marts(demo_run, *RATIO_METRICS[metric])
    answered = by_month_and_currency(pack, metric)
    assert expected.keys() == answered.keys()
    for key, value in expected.items():
        assert abs(Decimal(answered[key]) - Decimal(value)) < Decimal("1e-9"), key


def test_allocated_cost_by_owner_equals_the_ledger(finops_cli, demo_run, tmp_path):
    rows = mf_query(
        finops_cli,
        demo_run,
        tmp_path,
        ["allocated_effective_cost", "allocated_billed_cost"],
        ["metric_time__month", "currency", "owner"],
    )
    for metric, column in (
        ("allocated_effective_cost", "AllocatedEffectiveCost"),
        ("allocated_billed_cost", "AllocatedBilledCost"),
    ):
        expected = from_marts(
            demo_run, f"sum({column})", "marts.fct_cost_allocation", "ChargePeriodStart", "Owner"
        )
        answered = by_month_and_currency(rows, metric, "owner")
        assert len(expected) > 3, "the demo allocates to several owners"
        assert {k: Decimal(v).quantize(CENT) for k, v in answered.items()} == {
            k: v.quantize(CENT) for k, v in expected.items()
        }


def test_unit_metrics_equal_the_unit_cost_mart(finops_cli, demo_run, tmp_path):
    rows = mf_query(
        finops_cli,
        demo_run,
        tmp_path,
        list(UNIT_METRICS),
        ["metric_time__month", "currency", "unit_metric"],
    )
    for metric, expression in UNIT_METRICS.items():
        expected = from_marts(
            demo_run, expression, "marts.fct_unit_cost_daily", "MetricDate", "UnitMetricId"
        )
        answered = by_month_and_currency(rows, metric, "unit_metric")
        assert expected, f"the demo has no rows for {metric}"
        assert expected.keys() == answered.keys(), metric
        for key, value in expected.items():
            assert abs(Decimal(answered[key]) - Decimal(value)) < Decimal("1e-6"), (metric, key)
