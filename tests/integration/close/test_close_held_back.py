"""A refused landing file never holds back the good ones, on a copy of the demo warehouse named
after a schema (`close.duckdb`): the junk is quarantined, everything else is built, only the month
it would have fed refuses to close, and the copy's history, logs and quarantine are its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from finops_warehouse.settings import state_dir
from finops_warehouse.warehouse_connection import connect

WAREHOUSE_LOCATIONS = ("FINOPS_WAREHOUSE", "FINOPS_QUARANTINE", "DAGSTER_HOME", "FINOPS_LANDING")


def marts_rows(warehouse: Path) -> dict[str, int]:
    with connect(warehouse, read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for (n,) in names}


def test_run_and_close_on_a_copy_named_after_a_schema_with_a_junk_file_among_the_exports(
    demo_run, finops_cli, tmp_path
):
    """The warehouse is a copy named `close.duckdb`; its landing is the demo's plus one junk file
    in the second month's AWS CUR delivery folder. The junk is quarantined, every model is built
    from the rest, the second month is held back and refuses to close, the first month closes;
    history, logs and quarantine are the copy's own. Ground truth: the demo's invoices and the
    month the junk file's folder names."""
    from finops_warehouse.orchestration.assets.close import RECONCILIATION_CHECK, RECONCILIATION_KEY
    from finops_warehouse.orchestration.assets.ingest import ACCEPTED_CHECK, MANIFEST_KEY

    home, demo_env, root, truth, _ = demo_run
    warehouse = tmp_path / "close.duckdb"
    shutil.copyfile(home / "warehouse.duckdb", warehouse)
    before = marts_rows(warehouse)
    # The copy's locations follow it (its state directory), not the demo's.
    env = {k: v for k, v in demo_env.items() if k not in WAREHOUSE_LOCATIONS}
    env["FINOPS_HOME"] = str(tmp_path / "home")
    first, second = sorted({invoice["billing_period"] for invoice in truth["invoices"]})[:2]
    # copytree keeps modification times: ingestion orders deliveries by them.
    landing = shutil.copytree(root / "landing", tmp_path / "landing")
    (folder,) = landing.glob(f"aws/cur/*/{second.replace('-', '')}01-*")
    junk = folder / "notes from finance.csv"
    junk.write_text("this is not a billing export\nat all\n")

    run = finops_cli("run", "--landing", str(landing), "--warehouse", str(warehouse), env=env)
    assert run.returncode == 3, run.stdout[-3000:] + run.stderr[-3000:]  # built, files held
    relative = str(junk.relative_to(landing))
    state = state_dir(warehouse)
    assert state == tmp_path / "close.duckdb.finops"
    assert f"refused {relative}: unknown format" in run.stdout
    assert f"moved to {state / 'quarantine' / relative}" in run.stdout
    assert f"held back: billing months {second} stay open" in run.stdout
    assert not junk.exists() and (state / "quarantine" / relative).is_file()
    # Every model is built from the good files: the marts hold what they held before.
    assert marts_rows(warehouse) == before
    with connect(warehouse, read_only=True) as con:
        held = con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), count(*), min(HeldBackFiles),"
            " max(HeldBackFiles) from marts.dim_billing_period where IsHeldBack group by all"
        ).fetchall()
        accounts = con.execute(
            "select count(*) from marts.dim_billing_period where BillingPeriodStart = ?",
            [f"{second}-01"],
        ).fetchone()[0]
    # Refused before its rows were read: every account of the month its folder names waits.
    assert held == [(second, accounts, str(junk), str(junk))]

    out = tmp_path / "extracts"
    close = ("close", "--warehouse", str(warehouse), "--out", str(out), "--period")
    refused = finops_cli(*close, second, env=env)
    assert refused.returncode == 1, refused.stdout[-3000:] + refused.stderr[-3000:]
    assert "data held back" in refused.stdout and str(junk) in refused.stdout
    closed = finops_cli(*close, first, env=env)
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    assert (out / first / "manifest.json").is_file() and not (out / second).exists()
    with connect(warehouse, read_only=True) as con:
        recorded = con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m') from close.closed_periods"
        ).fetchall()
        status = con.execute(
            "select distinct Status from marts.dim_billing_period"
            " where strftime(BillingPeriodStart, '%Y-%m') = ?",
            [first],
        ).fetchall()
    assert recorded == [(first,)] and status == [("Closed",)]

    with dg.DagsterInstance.from_config(str(state / "dagster")) as instance:
        runs = instance.get_runs()
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [
                accepted := dg.AssetCheckKey(MANIFEST_KEY, ACCEPTED_CHECK),
                gate := dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK),
            ]
        )
        (latest,) = instance.fetch_materializations(RECONCILIATION_KEY, limit=1).records
    # The refused file warns (it never reached a raw table) and says where it went.
    assert not checks[accepted].evaluation.passed
    assert checks[accepted].evaluation.severity == dg.AssetCheckSeverity.WARN
    assert str(state / "quarantine" / relative) in checks[accepted].evaluation.description
    # The gate's last result is current: evaluated on the latest reconciliation table.
    assert checks[gate].evaluation.passed and first in checks[gate].evaluation.description
    assert checks[gate].evaluation.target_materialization_data.storage_id == latest.storage_id
    # Its history and logs are beside it, every run tagged with it.
    jobs = {r.job_name for r in runs}
    assert jobs >= {"ingest_job", "transform_job", "close_job", "close_marts_job"}
    assert {p.name for p in (state / "logs").iterdir()} == {f"{job}.log" for job in jobs}
    assert all(r.tags.get("finops/warehouse") == str(warehouse.resolve()) for r in runs)
    assert not (tmp_path / "home" / "dagster").exists()
