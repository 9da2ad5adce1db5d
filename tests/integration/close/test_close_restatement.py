"""`finops close` end to end: refusal, close, and a restated closed month booked as adjustments."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_warehouse.close import close_period
from finops_warehouse.close.files import sha256_of
from finops_warehouse.ingest import ingest

RESTATED_BY = Decimal("1.00")


def _restate_first_usage_row(landing: Path, period: str) -> str:
    """A newer delivery of the month's FOCUS file with one charge up by RESTATED_BY; its invoice."""
    (original,) = sorted(landing.glob(f"focus/**/{period}/*.csv"))
    with original.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["ChargeCategory"] == "Usage" and Decimal(r["BilledCost"]))
    for column in ("BilledCost", "EffectiveCost", "PricingCurrencyEffectiveCost"):
        row[column] = str(Decimal(row[column]) + RESTATED_BY)
    restated = original.with_name(original.stem + "-restated.csv")
    with restated.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    later = original.stat().st_mtime + 86400
    os.utime(restated, (later, later))
    return row["InvoiceId"]


def _dbt_build(env: dict, select: str, tmp_path: Path) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    # cautious: only the tests of the rebuilt models, not those of marts left as they were.
    options = ["--profiles-dir", "dbt", "--indirect-selection", "cautious"]
    options += ["--exclude-resource-type", "unit_test"]  # logic is unit-tested on its own
    result = subprocess.run(
        [dbt, "build", *options, "--select", *select.split()],
        cwd=Path(__file__).resolve().parents[3],
        env={**env, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def _checksums(directory: Path) -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(directory.iterdir())}


def test_restated_closed_month_keeps_its_extracts_and_lands_as_adjustments_next_month(
    close_home, finops_cli, tmp_path
):
    first, second = close_home.periods
    env, warehouse = close_home.env, close_home.warehouse
    first_dir = close_home.home / "close" / first

    # The month is closed (in process: the CLI and Dagster paths have their own tests).
    assert not close_period(warehouse, first, close_home.home / "close").already_closed
    frozen = _checksums(first_dir)

    # The provider restates the closed month.
    restated_invoice = _restate_first_usage_row(close_home.landing, first)
    ingest(warehouse, str(close_home.landing), tmp_path / "quarantine", periods={first})
    # What `finops run` rebuilds after that delivery, as far as the close reads it (the mapped
    # rows, then the FOCUS mart and what lies between it and the showback).
    _dbt_build(
        env,
        "int_cost_and_usage fct_cost_and_usage +fct_showback_monthly,fct_cost_and_usage+"
        " int_close_ledger+ +fct_showback_monthly,resource_type:seed",
        tmp_path,
    )

    assert close_period(warehouse, first, close_home.home / "close").already_closed
    assert _checksums(first_dir) == frozen
    with duckdb.connect(str(warehouse), read_only=True) as con:
        adjustments = con.execute(
            """
            select strftime(CorrectsBillingPeriodStart, '%Y-%m'),
                   strftime(AdjustmentBillingPeriodStart, '%Y-%m'), InvoiceId,
                   sum(AdjustmentBilledCost)
            from marts.fct_close_adjustments group by all
            """
        ).fetchall()
        reconciliation = con.execute(
            """
            select strftime(BillingPeriodStart, '%Y-%m'), RecordType, InvoiceTotal,
                   ClosedBilledCost, BilledCost, AdjustmentBilledCost,
                   strftime(AdjustmentBillingPeriodStart, '%Y-%m')
            from marts.fct_invoice_reconciliation where InvoiceId = $invoice
            order by 1
            """,
            {"invoice": restated_invoice},
        ).fetchall()
    assert adjustments == [(first, second, restated_invoice, RESTATED_BY)]
    invoiced = next(
        Decimal(i["amount"])
        for i in close_home.truth["invoices"]
        if i["invoice_id"] == restated_invoice
    )
    assert reconciliation == [
        (first, "invoice", invoiced, invoiced, invoiced + RESTATED_BY, RESTATED_BY, second),
        (second, "adjustment", None, None, None, RESTATED_BY, second),
    ]

    done = finops_cli("close", "--period", second, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _checksums(first_dir) == frozen
    with (close_home.home / "close" / second / f"chargeback_{second}.csv").open() as handle:
        carried = [r for r in csv.DictReader(handle) if r["RowType"] == "adjustment"]
    assert {r["CorrectsBillingPeriod"] for r in carried} == {first}
    assert sum(Decimal(r["BilledCost"]) for r in carried) == RESTATED_BY
    with duckdb.connect(str(warehouse), read_only=True) as con:
        periods = con.execute(
            "select distinct strftime(BillingPeriodStart, '%Y-%m'), Status, CloseManifestSha256"
            " from marts.dim_billing_period order by 1"
        ).fetchall()
        pending = con.execute("select count(*) from marts.fct_close_adjustments").fetchone()[0]
    assert periods == [
        (first, "Closed", frozen["manifest.json"]),
        (second, "Closed", sha256_of(close_home.home / "close" / second / "manifest.json")),
    ]
    assert pending == 0  # carried by the close of the second month, frozen there
