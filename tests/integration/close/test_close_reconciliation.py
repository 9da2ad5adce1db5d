"""The invoice reconciliation and the close gate, through Dagster, on the shared demo run."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import dagster as dg
import duckdb

from finops_warehouse.close.files import sha256_of
from finops_warehouse.orchestration.assets.close import CLOSE_KEY, RECONCILIATION_CHECK
from finops_warehouse.orchestration.definitions import definitions
from finops_warehouse.orchestration.partitions import partition_key
from finops_warehouse.settings import Settings


def test_every_demo_invoice_reconciles_to_its_ground_truth_amount(demo_run):
    home, _, _, truth, first = demo_run
    assert first.returncode == 0, first.stdout + first.stderr
    # every invoice delivered and matched: no reconciliation warning
    assert not [
        line for line in first.stdout.splitlines() if "warning" in line and "invoice" in line
    ]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            """
            select InvoiceId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency,
                   InvoiceTotal, BilledCost, Status, Tolerance
            from marts.fct_invoice_reconciliation where RecordType = 'invoice'
            """
        ).fetchall()
        periods = con.execute(
            "select distinct Status, count(*) over () from marts.dim_billing_period"
        ).fetchall()
    expected = {
        i["invoice_id"]: (i["billing_period"], i["currency"], Decimal(i["amount"]))
        for i in truth["invoices"]
    }
    assert {r[0]: (r[1], r[2], r[3]) for r in rows} == expected
    assert {r[0]: r[4] for r in rows} == {k: v[2] for k, v in expected.items()}
    assert {(r[5], r[6]) for r in rows} == {("matched", Decimal("0.01"))}
    accounts = {(i["billing_account_id"], i["billing_period"]) for i in truth["invoices"]}
    assert periods == [("Open", len(accounts))]


def _set_invoice_amount(warehouse, invoice_id: str, amount: Decimal) -> None:
    # raw.invoices keeps the CSV text; a corrected invoice file would land the same text.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.invoices set amount = $amount where invoice_id = $invoice",
            {"amount": str(amount), "invoice": invoice_id},
        )


def _run(job_name: str, home, instance, partition: str | None = None):
    # In this process, on the copy: the settings of its environment (warehouse_env).
    assert Settings.resolve().warehouse == home.warehouse
    job = definitions().resolve_job_def(job_name)
    return job.execute_in_process(instance=instance, partition_key=partition, raise_on_error=False)


def _check(result) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_check_key.name == RECONCILIATION_CHECK
    ]
    return evaluation


def _closed_materializations(result) -> list[dg.AssetMaterialization]:
    events = result.get_asset_materialization_events()
    materializations = [e.step_materialization_data.materialization for e in events]
    return [m for m in materializations if m.asset_key == CLOSE_KEY]


def test_close_refuses_an_invoice_off_by_two_cents_and_closes_once_it_is_restored(
    warehouse_env, finops_cli
):
    home = warehouse_env
    period = home.periods[0]
    invoice = min(
        (i for i in home.truth["invoices"] if i["billing_period"] == period),
        key=lambda i: i["invoice_id"],
    )
    amount = Decimal(invoice["amount"])
    instance = dg.DagsterInstance.get()  # the copy's instance: the CLI's runs land there

    _set_invoice_amount(home.warehouse, invoice["invoice_id"], amount + Decimal("0.02"))
    assert _run("close_marts_job", home, instance, partition_key(period)).success
    refused = finops_cli("close", "--period", period, env=home.env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = " ".join(refused.stdout.split())
    assert f"invoice {invoice['invoice_id']}" in message
    assert "variance -0.02" in message and "tolerance 0.01" in message
    assert "marts.fct_invoice_reconciliation" in message and "invoices_" in message
    # In Dagster: the blocking check failed and the close asset never ran.
    (run,) = instance.get_runs(dg.RunsFilter(job_name="close_job"), limit=1)
    assert run.status == dg.DagsterRunStatus.FAILURE
    events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.dagster_event]
    kinds = dg.DagsterEventType
    checks = [e.event_specific_data for e in events if e.event_type == kinds.ASSET_CHECK_EVALUATION]
    assert [(c.asset_check_key.name, c.passed) for c in checks] == [(RECONCILIATION_CHECK, False)]
    assert invoice["invoice_id"] in checks[0].description
    assert not [e for e in events if e.event_type == kinds.ASSET_MATERIALIZATION]
    assert "close__month_end_close" not in {
        e.step_key for e in events if e.event_type == kinds.STEP_START
    }
    assert not (home.home / "close" / period).exists()

    _set_invoice_amount(home.warehouse, invoice["invoice_id"], amount)
    assert _run("close_marts_job", home, instance, partition_key(period)).success
    closed = _run("close_job", home, instance, partition_key(period))
    assert closed.success and _check(closed).passed
    (materialization,) = _closed_materializations(closed)
    directory = home.home / "close" / period
    files = {p.name: sha256_of(p) for p in directory.iterdir()}
    assert len(files) == 7  # chargeback and showback in 3 formats, and the manifest
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        recorded = con.execute("select ManifestSha256 from close.closed_periods").fetchall()
    assert recorded == [(files["manifest.json"],)]
    # Chargeback ties to the invoices of the month, per currency, to the cent.
    invoiced: dict[str, Decimal] = {}
    for i in home.truth["invoices"]:
        if i["billing_period"] == period:
            invoiced[i["currency"]] = invoiced.get(i["currency"], 0) + Decimal(i["amount"])
    charged: dict[str, Decimal] = {}
    lines = (directory / f"chargeback_{period}.csv").read_text().splitlines()[1:]
    for line in lines:
        fields = line.split(",")
        charged[fields[3]] = charged.get(fields[3], 0) + Decimal(fields[-1])
    # Finance rounds an invoice half up (away from zero) to the cent.
    cent = Decimal("0.01")
    assert charged == {c: v.quantize(cent, ROUND_HALF_UP) for c, v in invoiced.items()}
    assert materialization.metadata["already_closed"].value is False

    again = _run("close_job", home, instance, partition_key(period))
    assert again.success and "closed already" in _check(again).description
    (repeat,) = _closed_materializations(again)
    assert repeat.metadata["already_closed"].value is True
    assert {p.name: sha256_of(p) for p in directory.iterdir()} == files
