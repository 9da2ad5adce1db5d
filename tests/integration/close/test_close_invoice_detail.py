"""Skylight's invoices arrive as FOCUS 1.4 InvoiceDetail files: the reconciliation reads them,
counts Issued invoices and ignores the voided one, on the shared demo run."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_warehouse.close.gate import reconciliation_problems


def _detail_invoices(truth: dict) -> list[dict]:
    return [i for i in truth["invoices"] if i["invoice_format"] == "focus_invoice_detail"]


def _detail_files(truth: dict) -> dict[str, dict]:
    """billing period -> ground-truth record of that month's InvoiceDetail file."""
    return {f["billing_period"]: f for f in truth["files"] if f["format"] == "focus_invoice_detail"}


def test_every_invoice_detail_invoice_reconciles_to_its_ground_truth_amount(demo_run):
    home, _, _, truth, first = demo_run
    assert first.returncode == 0, first.stdout + first.stderr
    invoices = _detail_invoices(truth)
    files = _detail_files(truth)
    assert {i["provider"] for i in invoices} == {"Skylight"}
    assert sorted(i["billing_period"] for i in invoices) == truth["billing_periods"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                """
                select InvoiceId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency,
                       InvoiceTotal, BilledCost, Status, InvoiceSourceFile
                from marts.fct_invoice_reconciliation where RecordType = 'invoice'
                """
            ).fetchall()
        }
        formats = dict(
            con.execute(
                "select InvoiceId, InvoiceSourceFormat from intermediate.int_invoice_totals"
            ).fetchall()
        )
        in_csv = con.execute(
            "select count(*) from raw.invoices where provider = 'Skylight'"
        ).fetchone()[0]
    for i in invoices:
        amount = Decimal(i["amount"])
        period, currency, total, billed, status, source = rows[i["invoice_id"]]
        assert (period, currency, total, billed, status) == (
            i["billing_period"],
            i["currency"],
            amount,
            amount,
            "matched",
        ), i
        assert source.endswith(files[i["billing_period"]]["path"]), source
        assert formats[i["invoice_id"]] == "focus_invoice_detail"
    assert in_csv == 0  # the generic CSV no longer carries them: the reconciliation needs the file


def test_the_voided_invoice_is_loaded_but_never_counted(demo_run):
    home, _, _, truth, _ = demo_run
    (voided,) = truth["voided_invoices"]
    (reissue,) = [
        i for i in _detail_invoices(truth) if i["billing_period"] == voided["billing_period"]
    ]
    detail_file = _detail_files(truth)[voided["billing_period"]]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        lines = dict(
            con.execute(
                """
                select "InvoiceId", sum(cast("BilledCost" as decimal(38, 10)))
                from raw.focus_invoice_detail
                where "InvoiceIssueStatus" = $status
                  and strftime(_billing_period, '%Y-%m') = $period
                group by 1
                """,
                {"status": "Voided", "period": voided["billing_period"]},
            ).fetchall()
        )
        in_marts = con.execute(
            """
            select (select count(*) from marts.fct_invoice_reconciliation where InvoiceId = $id)
                 + (select count(*) from intermediate.int_invoice_totals where InvoiceId = $id)
            """,
            {"id": voided["invoice_id"]},
        ).fetchone()[0]
        manifest = con.execute(
            "select rows, cost_total from raw.ingest_manifest where path like '%' || $name",
            {"name": detail_file["path"].rsplit("/", 1)[-1]},
        ).fetchall()
    # Loaded as delivered: a duplicate of the reissued invoice, under its own id.
    assert lines == {voided["invoice_id"]: Decimal(voided["amount"])}
    assert voided["amount"] == reissue["amount"] and voided["invoice_id"] != reissue["invoice_id"]
    assert in_marts == 0
    # The manifest's control total leaves the voided lines out, as the ground truth does.
    assert manifest == [(detail_file["rows"], Decimal(detail_file["cost_total"]))]
    assert Decimal(detail_file["cost_total"]) == Decimal(reissue["amount"])


def _rebuild_reconciliation(home, tmp_path: Path) -> None:
    """`dbt run` of the reconciliation mart alone: staging and int_invoice_totals are views, so
    it reads the changed raw rows."""
    dbt = str(Path(sys.executable).parent / "dbt")
    result = subprocess.run(
        [dbt, "run", "--profiles-dir", "dbt", "--select", "fct_invoice_reconciliation"],
        cwd=Path(__file__).resolve().parents[3],
        env={
            **home.env,
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_an_invoice_line_two_cents_off_refuses_its_invoice_while_voided_lines_do_not_count(
    close_home, tmp_path
):
    home = close_home
    (voided,) = home.truth["voided_invoices"]
    invoice = max(_detail_invoices(home.truth), key=lambda i: i["billing_period"])
    # raw keeps the file's text; a corrected delivery would land the same text.
    with duckdb.connect(str(home.warehouse)) as con:
        for invoice_id, delta in ((invoice["invoice_id"], "0.02"), (voided["invoice_id"], "5")):
            con.execute(
                """
                update raw.focus_invoice_detail
                set "BilledCost" = cast(cast("BilledCost" as decimal(38, 10)) + $delta as varchar)
                where "InvoiceDetailId" = (
                    select min("InvoiceDetailId") from raw.focus_invoice_detail
                    where "InvoiceId" = $invoice
                )
                """,
                {"delta": Decimal(delta), "invoice": invoice_id},
            )
    _rebuild_reconciliation(home, tmp_path)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        statuses = dict(
            con.execute(
                "select InvoiceId, Status from marts.fct_invoice_reconciliation"
                " where RecordType = 'invoice' and InvoiceId like 'SKY-%'"
            ).fetchall()
        )
        period = dt.date.fromisoformat(invoice["billing_period"] + "-01")
        (problem,) = reconciliation_problems(con, period)
    others = {i["invoice_id"]: "matched" for i in _detail_invoices(home.truth) if i != invoice}
    assert statuses == {**others, invoice["invoice_id"]: "out_of_tolerance"}
    assert problem.invoice == invoice["invoice_id"]
    assert problem.variance == Decimal("-0.02") and problem.tolerance == Decimal("0.01")
    assert "invoice_detail" in problem.invoice_file
