"""Microsoft's own Azure EA cost details exports (actual and amortized, a small real month) under
names that say nothing, through the whole pipeline.

Which dataset a file is must come from its content, not its name: the actual export carries
the reservation purchase and zero-cost covered usage, the amortized one costed covered usage.
Ground truth: the files' own sums (csv + Decimal). docs/focus-mapping.md: Σ BilledCost = Σ actual
cost; Σ EffectiveCost = Σ amortized cost (the purchase is taken from the actual export at
EffectiveCost 0, the amortized export has no purchase rows).
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


def file_sums(folder: Path, name: str) -> tuple[dict[tuple[str, str, str], Decimal], int]:
    """Σ Cost per (billing account, 'YYYY-MM', currency) and the row count of one EA file."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    rows = 0
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            start = row["BillingPeriodStartDate"]  # MM/DD/YYYY
            key = (row["BillingAccountId"], f"{start[6:10]}-{start[0:2]}", row["BillingCurrency"])
            totals[key] += Decimal(row["Cost"])
            rows += 1
    return dict(totals), rows


def test_finops_run_on_the_ea_files_succeeds(azure_ea_run):
    assert azure_ea_run.done.returncode == 0, azure_ea_run.output


def test_each_ea_file_loads_as_its_dataset_whatever_its_name(azure_ea_run, sources):
    folder, names = sources
    with duckdb.connect(str(azure_ea_run.warehouse), read_only=True) as con:
        manifest = con.execute(
            "select path, format, status, rows, coalesce(error, '') from raw.ingest_manifest"
        ).fetchall()
    by_path = {
        Path(p).resolve(): (fmt, status, rows, err) for p, fmt, status, rows, err in manifest
    }
    for source, neutral in names.items():
        path = (azure_ea_run.landing / neutral).resolve()
        assert path in by_path, f"{neutral} ({source}) not in the manifest: {manifest}"
        fmt, status, rows, err = by_path[path]
        assert (fmt, status, rows) == (DATASET[source], "loaded", file_sums(folder, source)[1]), (
            f"{neutral} ({source}): {fmt}, {status}, {rows} rows, {err}"
        )


def test_ea_billed_and_effective_cost_tie_to_the_files_to_the_cent(azure_ea_run, sources):
    folder, _ = sources
    actual, _ = file_sums(folder, "EA_ActualCost_Small.csv")
    amortized, _ = file_sums(folder, "EA_AmortizedCost_Small.csv")
    with duckdb.connect(str(azure_ea_run.warehouse), read_only=True) as con:
        found = con.execute(
            """
            select BillingAccountId, strftime(x_BillingPeriod, '%Y-%m'), BillingCurrency,
                   sum(BilledCost), sum(EffectiveCost)
            from marts.fct_cost_and_usage where ProviderName = 'Microsoft'
            group by all
            """
        ).fetchall()
    billed = {(a, m, c): Decimal(b).quantize(CENT) for a, m, c, b, _ in found}
    effective = {(a, m, c): Decimal(e).quantize(CENT) for a, m, c, _, e in found}
    assert billed == {k: v.quantize(CENT) for k, v in actual.items()}
    assert effective == {k: v.quantize(CENT) for k, v in amortized.items()}


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
