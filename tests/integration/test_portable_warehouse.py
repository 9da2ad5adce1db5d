"""The warehouse is one portable file: a copy under any name reads, runs and closes, and its run
and check history is its own.

A copy named after a schema (`close.duckdb`, `marts.duckdb`) is the hard case: DuckDB names the
file's catalog after its stem, so `marts.fct_x` would be ambiguous without the project's
connection (dagster_project/warehouse_connection.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.resources import state_dir, warehouse_tags
from dagster_project.warehouse_connection import connect

SCHEMAS = {"raw", "staging", "intermediate", "marts", "seeds", "close"}
COPIES = ("backup", "close", "marts")
# Locations a test chooses itself; the rest follow the warehouse (its state directory).
STATE_VARIABLES = ("FINOPS_WAREHOUSE", "FINOPS_QUARANTINE", "DAGSTER_HOME", "FINOPS_LANDING")

RELATIONS = """
    select schema_name, table_name from duckdb_tables() where database_name = current_database()
    union all
    select schema_name, view_name from duckdb_views()
    where database_name = current_database() and not internal
    order by all
"""


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Rows of every table and view of the warehouse: every view is bound and run."""
    return {
        (schema, name): con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        for schema, name in con.execute(RELATIONS).fetchall()
    }


@pytest.fixture(scope="module")
def built(demo_run) -> tuple[Path, dict, dict[tuple[str, str], int]]:
    """The demo warehouse and its row counts, read directly under its own name."""
    home, _, _, truth, first = demo_run
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = row_counts(con)
    return warehouse, truth, counts


@pytest.fixture(scope="module")
def copies(built, tmp_path_factory) -> Path:
    warehouse, _, _ = built
    directory = tmp_path_factory.mktemp("copies")
    for name in COPIES:
        shutil.copyfile(warehouse, directory / f"{name}.duckdb")
    return directory


def own_state_env(demo_run, home: Path) -> dict[str, str]:
    """The demo's environment without the locations that belong to a warehouse."""
    env = {k: v for k, v in demo_run[1].items() if k not in STATE_VARIABLES}
    return {**env, "FINOPS_HOME": str(home)}


def test_the_demo_holds_every_schema_with_views(built):
    _, _, counts = built
    assert {schema for schema, _ in counts} >= SCHEMAS
    views = {schema for schema, name in counts if schema in ("staging", "intermediate")}
    assert views == {"staging", "intermediate"}
    assert counts[("marts", "fct_cost_and_usage")] > 0


@pytest.mark.parametrize("name", COPIES)
def test_every_relation_of_a_copy_reads_through_the_project_connection(built, copies, name):
    _, _, original = built
    with connect(copies / f"{name}.duckdb", read_only=True) as con:
        assert row_counts(con) == original


def test_a_backup_copy_opens_directly_in_duckdb(built, copies):
    _, _, original = built
    with duckdb.connect(str(copies / "backup.duckdb"), read_only=True) as con:
        assert row_counts(con) == original


def first_period(truth: dict) -> str:
    """The demo's first invoiced month: its invoices match (the demo closes it)."""
    return sorted({invoice["billing_period"] for invoice in truth["invoices"]})[0]


def test_run_and_close_on_a_copy_named_after_a_schema_with_a_junk_file_among_the_exports(
    built, demo_run, finops_cli, tmp_path
):
    """The warehouse is a copy named `close.duckdb`; its landing is the demo's plus one junk file
    in the second month's AWS CUR delivery folder. The junk is quarantined, every model is built
    from the rest, the second month is held back and refuses to close, the first month closes;
    history, logs and quarantine are the copy's own. Ground truth: the demo's invoices and the
    month the junk file's folder names."""
    from dagster_project.assets.close import RECONCILIATION_CHECK, RECONCILIATION_KEY
    from dagster_project.assets.ingest import ACCEPTED_CHECK, MANIFEST_KEY

    original, truth, counts = built
    warehouse = tmp_path / "close.duckdb"
    shutil.copyfile(original, warehouse)
    env = own_state_env(demo_run, tmp_path / "home")
    first, second = sorted({invoice["billing_period"] for invoice in truth["invoices"]})[:2]
    # copytree keeps modification times: ingestion orders deliveries by them.
    landing = shutil.copytree(demo_run[2] / "landing", tmp_path / "landing")
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
    with connect(warehouse, read_only=True) as con:
        # Every model is built from the good files: the marts hold what they held before.
        after = row_counts(con)
        held = con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), count(*), min(HeldBackFiles),"
            " max(HeldBackFiles) from marts.dim_billing_period where IsHeldBack group by all"
        ).fetchall()
        accounts = con.execute(
            "select count(*) from marts.dim_billing_period where BillingPeriodStart = ?",
            [f"{second}-01"],
        ).fetchone()[0]
    marts = {key: rows for key, rows in counts.items() if key[0] == "marts"}
    assert {key: rows for key, rows in after.items() if key[0] == "marts"} == marts
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


def plant_failed_check(instance: dg.DagsterInstance, warehouse: Path) -> str:
    """Record, in a real run on `warehouse`, a failed ERROR-severity execution of one of the
    project's dbt checks (as a broken build would); returns its description."""
    from dagster_project.assets.close import RECONCILIATION_CHECK
    from dagster_project.definitions import defs

    key = min(
        (
            s.key
            for a in defs.resolve_asset_graph().assets_defs
            for s in a.check_specs
            if s.key.name != RECONCILIATION_CHECK
        ),
        key=lambda k: k.to_user_string(),
    )
    description = f"planted failure of {key.name}"

    @dg.asset_check(asset=key.asset_key, name=key.name)
    def failing() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.ERROR, description=description
        )

    job = dg.define_asset_job("plant", selection=dg.AssetSelection.checks(failing))
    result = (
        dg.Definitions(asset_checks=[failing], jobs=[job])
        .resolve_job_def("plant")
        .execute_in_process(instance=instance, tags=warehouse_tags(warehouse), raise_on_error=False)
    )
    assert [e.passed for e in result.get_asset_check_evaluations()] == [False]
    return description


def test_a_failed_check_on_one_warehouse_never_gates_another_sharing_the_instance(
    built, demo_run, finops_cli, tmp_path
):
    warehouse, truth, _ = built
    period = first_period(truth)
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for copy in (a, b):
        shutil.copyfile(warehouse, copy)
    shared = tmp_path / "dagster"
    shared.mkdir()
    (shared / "dagster.yaml").touch()
    with dg.DagsterInstance.from_config(str(shared)) as instance:
        description = plant_failed_check(instance, a)
    env = {**own_state_env(demo_run, tmp_path / "home"), "DAGSTER_HOME": str(shared)}

    def close(warehouse: Path):
        out = ("--out", str(tmp_path / f"{warehouse.stem}_extracts"))
        return finops_cli("close", "--period", period, "--warehouse", str(warehouse), *out, env=env)

    refused = close(a)  # the control: the planted failure gates the warehouse it was run on
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert description in " ".join(refused.stdout.split())
    closed = close(b)
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    assert (tmp_path / "b_extracts" / period / "manifest.json").is_file()
    with dg.DagsterInstance.from_config(str(shared)) as instance:
        closes = instance.get_runs(dg.RunsFilter(job_name="close_job"))
        assert sorted(r.tags["finops/warehouse"] for r in closes) == sorted(
            str(w.resolve()) for w in (a, b)
        )


def test_the_cli_keeps_a_warehouse_state_beside_it_unless_told_otherwise(tmp_path, monkeypatch):
    from dagster_project import runner

    for name in (*STATE_VARIABLES, "FINOPS_HOME"):
        monkeypatch.setenv(name, "")  # so that undo also removes what configure sets
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner.configure("data/marts.duckdb", "landing")
    state = tmp_path / "data" / "marts.duckdb.finops"
    assert os.environ["DAGSTER_HOME"] == str(state / "dagster")
    assert os.environ["FINOPS_QUARANTINE"] == str(state / "quarantine")
    assert (state / "dagster" / "dagster.yaml").is_file()

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "shared"))
    monkeypatch.setenv("FINOPS_QUARANTINE", str(tmp_path / "refused"))
    runner.configure("data/marts.duckdb", "landing")
    assert os.environ["DAGSTER_HOME"] == str(tmp_path / "shared")
    assert os.environ["FINOPS_QUARANTINE"] == str(tmp_path / "refused")


def test_the_demo_hints_name_what_is_in_use_and_run_as_printed_in_a_fresh_shell(
    close_home, tmp_path, monkeypatch
):
    from dagster_project.cli import _demo_hints

    warehouse = close_home.warehouse
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(state_dir(warehouse) / "dagster"))
    ui, query, export, close = _demo_hints(warehouse, ["2026-07", "2026-08"])
    finops = f"{Path(sys.executable).parent / 'finops'}"
    assert ui.endswith(f"  {finops} ui --warehouse {warehouse}")
    assert close.endswith(
        f"  {finops} close --warehouse {warehouse} --out {tmp_path / 'home' / 'close'} "
        "--period 2026-08"
    )
    # A fresh shell: no virtual environment on PATH, none of the project's variables.
    fresh = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    out = {}
    for hint in (query, export):
        command = hint.split(":", 1)[1].strip()
        done = subprocess.run(
            ["bash", "-c", command], env=fresh, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        out[hint] = done.stdout
    assert "BillingPeriodStart" in out[query] and "rows" in out[query]
    assert (warehouse.parent / "focus.parquet").stat().st_size > 0

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "shared"))
    ui, _, _, close = _demo_hints(warehouse, ["2026-07", "2026-08"])
    prefix = f"  DAGSTER_HOME={tmp_path / 'shared'} {finops} "
    assert prefix + "ui" in ui and prefix + "close" in close
