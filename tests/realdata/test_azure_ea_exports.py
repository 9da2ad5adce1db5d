"""Microsoft's own Azure EA cost details exports (actual and amortized, a small real month) under
names that say nothing, through the whole pipeline.

Which dataset a file is must come from its content, not its name: the actual export carries
the reservation purchase and zero-cost covered usage, the amortized one costed covered usage.
Ground truth: the files' own sums (csv + Decimal): each file's Σ Cost in the manifest; Σ
EffectiveCost = Σ amortized cost (the purchase comes from the actual export at EffectiveCost 0,
the amortized export has no purchase rows); Σ BilledCost by the rule of docs/focus-mapping.md.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

DATASET = {
    "EA_ActualCost_Small.csv": "azure_actual",
    "EA_AmortizedCost_Small.csv": "azure_amortized",
}
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def sources(azure_ea_sources):
    return azure_ea_sources


Sums = dict[tuple[str, str, str], Decimal]  # (billing account, 'YYYY-MM', currency) -> Σ


def read_ea(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sums(rows: list[dict[str, str]], keep=lambda row: True) -> Sums:
    totals: Sums = defaultdict(Decimal)
    for row in rows:
        start = row["BillingPeriodStartDate"]  # MM/DD/YYYY
        key = (row["BillingAccountId"], f"{start[6:10]}-{start[0:2]}", row["BillingCurrency"])
        totals[key] += Decimal(row["Cost"]) if keep(row) else Decimal(0)
    return dict(totals)


def cents(totals: Sums) -> Sums:
    return {k: v.quantize(CENT) for k, v in totals.items()}


def mart_sums(warehouse: Path) -> tuple[Sums, Sums]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            """
            select BillingAccountId, strftime(x_BillingPeriod, '%Y-%m'), BillingCurrency,
                   sum(BilledCost), sum(EffectiveCost)
            from marts.fct_cost_and_usage where ProviderName = 'Microsoft'
            group by all
            """
        ).fetchall()
    billed = {(a, m, c): Decimal(b) for a, m, c, b, _ in found}
    effective = {(a, m, c): Decimal(e) for a, m, c, _, e in found}
    return billed, effective


def test_finops_run_on_the_ea_files_succeeds(azure_ea_run):
    assert azure_ea_run.done.returncode == 0, azure_ea_run.output


def test_each_ea_file_loads_as_its_dataset_whatever_its_name(azure_ea_run, sources):
    folder, names = sources
    with duckdb.connect(str(azure_ea_run.warehouse), read_only=True) as con:
        manifest = con.execute(
            "select path, format, status, rows, cost_total, coalesce(error, '')"
            " from raw.ingest_manifest"
        ).fetchall()
    by_path = {Path(row[0]).resolve(): row[1:] for row in manifest}
    for source, neutral in names.items():
        path = (azure_ea_run.landing / neutral).resolve()
        assert path in by_path, f"{neutral} ({source}) not in the manifest: {manifest}"
        fmt, status, rows, cost_total, error = by_path[path]
        data = read_ea(folder, source)
        (file_total,) = sums(data).values()
        assert (fmt, status, rows) == (DATASET[source], "loaded", len(data)), (
            f"{neutral} ({source}): {fmt}, {status}, {rows} rows, {error}"
        )
        assert Decimal(cost_total).quantize(CENT) == file_total.quantize(CENT), neutral


def test_ea_effective_cost_ties_to_the_amortized_file_to_the_cent(azure_ea_run, sources):
    folder, _ = sources
    _, effective = mart_sums(azure_ea_run.warehouse)
    assert cents(effective) == cents(sums(read_ea(folder, "EA_AmortizedCost_Small.csv")))


def test_ea_billed_cost_follows_the_documented_rule_to_the_cent(azure_ea_run, sources):
    """docs/focus-mapping.md: purchases and refunds from the actual export; every row of the
    amortized export at its cost, 0 where a commitment covers it or it is an Unused* row.

    With a consistent pair of exports this equals Σ of the actual export. These two small
    files are excerpts (the amortized one has on-demand rows the actual one lacks), so the sum
    is computed here by the rule, from the files."""
    folder, _ = sources
    actual = read_ea(folder, "EA_ActualCost_Small.csv")
    amortized = read_ea(folder, "EA_AmortizedCost_Small.csv")
    purchases = sums(actual, lambda row: row["ChargeType"] in ("Purchase", "Refund"))
    cash_usage = sums(
        amortized,
        lambda row: (
            row["PricingModel"] not in ("Reservation", "SavingsPlan")
            and not row["ChargeType"].startswith("Unused")
        ),
    )
    expected = {
        k: purchases.get(k, Decimal(0)) + cash_usage.get(k, Decimal(0))
        for k in purchases.keys() | cash_usage.keys()
    }
    billed, _ = mart_sums(azure_ea_run.warehouse)
    assert cents(billed) == cents(expected)


def test_run_summary_names_the_dataset_assumed_for_each_file(azure_ea_run, sources):
    _, names = sources
    # the console wraps long lines, also inside paths: undo it before searching
    output = azure_ea_run.output.replace("\n", "")
    for source, neutral in names.items():
        name = Path(neutral).name
        assert name in output, f"the run output does not name {name}:\n{azure_ea_run.output}"
        dataset = "amortized" if "Amortized" in source else "actual"
        mentions = [
            output[i : i + 300].lower() for i in range(len(output)) if output.startswith(name, i)
        ]
        assert any(dataset in m for m in mentions), (
            f"no mention of {name} says it is the {dataset} cost dataset:\n{azure_ea_run.output}"
        )
