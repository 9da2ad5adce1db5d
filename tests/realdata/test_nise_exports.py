"""The pipeline on billing files nobody here wrote: koku-nise's AWS CUR, Azure cost details and
GCP billing export (generated at test time, laid out as nise lays them out), through one real
`finops run`.

Ground truth is computed in this file from nise's own files (csv / json + Decimal), never from
the warehouse: Σ BilledCost per provider, billing account, billing period and currency must
equal what docs/focus-mapping.md says BilledCost is for each provider:

- AWS: ``lineItem/UnblendedCost`` of every line except ``SavingsPlanCoveredUsage`` (BilledCost 0)
  and ``SavingsPlanNegation`` (dropped); the bill nets the same;
- Azure: the actual cost column (``CostInBillingCurrency``, else ``Cost``, else ``PreTaxCost``);
  nise writes no amortized export, so the period's FOCUS rows come from the actual one;
- GCP: ``cost`` + Σ ``credits.amount``; the period is ``invoice.month``.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_warehouse.settings import state_dir

# The warehouse keeps money as DECIMAL(38, 10); nise writes floats with up to 17 decimals, so
# each source value may move by half a unit of the 10th decimal, never more.
PER_ROW_ROUNDING = Decimal("0.5e-10")

AWS_NOT_BILLED = {"SavingsPlanCoveredUsage", "SavingsPlanNegation"}
AZURE_COST_COLUMNS = ("CostInBillingCurrency", "Cost", "PreTaxCost")

Key = tuple[str, str, str, str]  # provider, billing account, 'YYYY-MM', currency


def _dec(text) -> Decimal:
    return Decimal(str(text).strip()) if text not in (None, "") else Decimal(0)


def expected_aws(files: list[Path]) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    totals: dict[Key, Decimal] = defaultdict(Decimal)
    rows: dict[Key, int] = defaultdict(int)
    for path in files:
        with gzip.open(path, "rt", newline="") as f:
            for row in csv.DictReader(f):
                key = (
                    "AWS",
                    row["bill/PayerAccountId"],
                    row["bill/BillingPeriodStartDate"][:7],
                    row["lineItem/CurrencyCode"],
                )
                rows[key] += 1
                if row["lineItem/LineItemType"] not in AWS_NOT_BILLED:
                    totals[key] += _dec(row["lineItem/UnblendedCost"])
    return dict(totals), dict(rows)


def expected_azure(files: list[Path]) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    totals: dict[Key, Decimal] = defaultdict(Decimal)
    rows: dict[Key, int] = defaultdict(int)
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            cost = next(c for c in AZURE_COST_COLUMNS if c in reader.fieldnames)
            currency = next(
                c for c in ("BillingCurrency", "BillingCurrencyCode") if c in reader.fieldnames
            )
            for row in reader:
                start = row["BillingPeriodStartDate"]
                # ISO (nise) or MM/DD/YYYY (Microsoft's EA and most cost details files)
                period = start[:7] if "-" in start else f"{start[6:10]}-{start[0:2]}"
                key = ("Microsoft", row["BillingAccountId"], period, row[currency])
                rows[key] += 1
                totals[key] += _dec(row[cost])
    return dict(totals), dict(rows)


def expected_gcp(files: list[Path]) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    totals: dict[Key, Decimal] = defaultdict(Decimal)
    rows: dict[Key, int] = defaultdict(int)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line, parse_float=Decimal, parse_int=Decimal)
                month = row["invoice"]["month"]
                key = (
                    "Google Cloud",
                    row["billing_account_id"],
                    f"{month[:4]}-{month[4:]}",
                    row["currency"],
                )
                # BigQuery's credits is a list; nise writes one object (see docs/real-exports.md)
                credits = row.get("credits") or []
                if isinstance(credits, dict):
                    credits = [credits]
                rows[key] += 1
                totals[key] += _dec(row["cost"]) + sum(
                    (_dec(c.get("amount")) for c in credits), Decimal(0)
                )
    return dict(totals), dict(rows)


def mart_billed(warehouse: Path) -> dict[Key, Decimal]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            """
            select ProviderName, BillingAccountId, strftime(x_BillingPeriod, '%Y-%m'),
                   BillingCurrency, sum(BilledCost)
            from marts.fct_cost_and_usage
            group by all
            """
        ).fetchall()
    return {(p, a, m, c): Decimal(total) for p, a, m, c, total in found}


def assert_ties(actual: dict[Key, Decimal], expected: dict[Key, Decimal], rows: dict[Key, int]):
    assert set(actual) == set(expected), (
        f"partitions differ: only in the mart {sorted(set(actual) - set(expected))}, "
        f"only in the files {sorted(set(expected) - set(actual))}"
    )
    off = {
        key: (actual[key], expected[key])
        for key in expected
        if abs(actual[key] - expected[key]) > rows[key] * PER_ROW_ROUNDING
    }
    assert not off, "Σ BilledCost (mart, files) differs: " + "; ".join(
        f"{k}: {a} vs {e} ({a - e:+})" for k, (a, e) in sorted(off.items())
    )


def manifest_rows(warehouse: Path) -> list[tuple[str, str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select path, format, status, coalesce(error, '') from raw.ingest_manifest"
        ).fetchall()


# --------------------------------------------------------------------------------------------
# nise: AWS CUR, Azure cost details, GCP billing export in one run
# --------------------------------------------------------------------------------------------


def test_nise_files_are_laid_out_as_nise_writes_them(nise_landing):
    """Guards the fixture (the rest would test less than it says): several AWS parts per
    month with their manifests, one Azure file per month, one GCP JSONL file for both months."""
    parts = defaultdict(list)
    for path in nise_landing.aws_files():
        month = re.fullmatch(r"(January|February)-2024-nise-cur-\d+\.csv\.gz", path.name)
        assert month, path
        parts[month[1]].append(path)
    assert {m: len(p) >= 2 for m, p in parts.items()} == {"January": True, "February": True}
    manifests = sorted((nise_landing.generated / "aws").rglob("nise-cur-Manifest.json"))
    assert len(manifests) == 4  # per month: one beside the month folder, one in the assembly
    assert {p.parent.name for p in nise_landing.azure_files()} == {
        "20240101-20240131",
        "20240201-20240229",
    }
    assert len(nise_landing.gcp_files()) == 1


def test_finops_run_on_nise_files_succeeds(nise_run):
    assert nise_run.done.returncode == 0, nise_run.output


def test_every_nise_file_loads_and_none_is_quarantined(nise_landing, nise_run):
    rows = manifest_rows(nise_run.warehouse)
    by_path = defaultdict(set)
    for path, _fmt, status, error in rows:
        by_path[Path(path).resolve()].add((status, error))
    refused = {p: s for p, s in by_path.items() if any(st == "quarantined" for st, _ in s)}
    assert not refused, "quarantined nise files:\n" + "\n".join(
        f"{p}: {e}" for p, s in refused.items() for _, e in s
    )
    not_loaded = [
        p
        for p in map(nise_landing.in_landing, nise_landing.data_files())
        if ("loaded", "") not in by_path.get(p.resolve(), ())
    ]
    assert not not_loaded, f"not loaded (manifest: {dict(by_path)}): {not_loaded}"
    quarantine = state_dir(nise_run.warehouse) / "quarantine"
    assert not quarantine.exists() or not any(p.is_file() for p in quarantine.rglob("*"))


def test_nise_aws_billed_cost_ties_to_the_files(nise_landing, nise_run):
    totals, rows = expected_aws(nise_landing.aws_files())
    billed = {k: v for k, v in mart_billed(nise_run.warehouse).items() if k[0] == "AWS"}
    assert_ties(billed, totals, rows)


def test_nise_azure_billed_cost_ties_to_the_files(nise_landing, nise_run):
    totals, rows = expected_azure(nise_landing.azure_files())
    billed = {k: v for k, v in mart_billed(nise_run.warehouse).items() if k[0] == "Microsoft"}
    assert_ties(billed, totals, rows)


def test_nise_gcp_billed_cost_ties_to_the_files(nise_landing, nise_run):
    totals, rows = expected_gcp(nise_landing.gcp_files())
    assert {k[2] for k in totals} == {"2024-01", "2024-02"}  # one file, two invoice months
    billed = {k: v for k, v in mart_billed(nise_run.warehouse).items() if k[0] == "Google Cloud"}
    assert_ties(billed, totals, rows)


# --------------------------------------------------------------------------------------------
# The FOCUS export of the nise run passes the official validator
# --------------------------------------------------------------------------------------------


def _conformance():
    """The validator harness of tests/conformance (imported by path: tests is no package)."""
    path = Path(__file__).resolve().parents[1] / "conformance" / "test_focus_validator.py"
    name = "_focus_validator_harness"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.mark.long
def test_nise_focus_export_passes_the_focus_validator(nise_run, finops_cli, tmp_path):
    assert nise_run.done.returncode == 0, nise_run.output
    out = tmp_path / "focus.parquet"
    export = finops_cli("export", "focus", "--out", str(out), env=nise_run.env)
    assert export.returncode == 0, export.stdout + export.stderr
    harness = _conformance()
    validator = harness.ensure_validator()
    report = harness.run_validator(validator, out, tmp_path / "validator")
    failures = harness.unexplained_failures(report, harness.load_allowlist())
    problems = harness.row_wise_violations(validator, out)
    assert not failures and not problems, (
        f"FOCUS validator failures on the nise export {out}:\n"
        + harness.describe(failures)
        + "\n"
        + "\n".join(problems)
    )
