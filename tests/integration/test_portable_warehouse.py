"""The warehouse is one portable file: a copy under any name reads, runs and closes, and its run
and check history is its own.

A copy named after a schema (`close.duckdb`, `marts.duckdb`) is the hard case: DuckDB names the
file's catalog after its stem, so `marts.fct_x` would be ambiguous without the project's
connection (finops_warehouse/warehouse_connection.py).
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

from finops_warehouse.cli import _demo_hints
from finops_warehouse.orchestration import runner
from finops_warehouse.orchestration.assets.close import RECONCILIATION_CHECK
from finops_warehouse.orchestration.definitions import definitions
from finops_warehouse.orchestration.resources import warehouse_tags
from finops_warehouse.settings import Settings, state_dir
from finops_warehouse.warehouse_connection import connect

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


def plant_failed_check(instance: dg.DagsterInstance, warehouse: Path) -> str:
    """Record, in a real run on `warehouse`, a failed ERROR-severity execution of one of the
    project's dbt checks (as a broken build would); returns its description."""
    key = min(
        (
            s.key
            for a in definitions().resolve_asset_graph().assets_defs
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


def test_a_command_keeps_a_warehouse_state_beside_it_unless_told_otherwise(tmp_path, monkeypatch):
    for name in (*STATE_VARIABLES, "FINOPS_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    before = dict(os.environ)
    settings = Settings.resolve("data/marts.duckdb", "landing")
    state = tmp_path / "data" / "marts.duckdb.finops"
    assert settings.warehouse == tmp_path / "data" / "marts.duckdb"
    assert settings.dagster_home == state / "dagster"
    assert settings.quarantine == state / "quarantine"
    assert settings.close_root == tmp_path / ".finops" / "close"
    runner.prepare(settings)
    assert (state / "dagster" / "dagster.yaml").is_file()
    # The settings reach dbt and `dagster dev` as their environment, never through this one.
    assert dict(os.environ) == before
    assert settings.environment()["FINOPS_WAREHOUSE"] == str(settings.warehouse)

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "shared"))
    monkeypatch.setenv("FINOPS_QUARANTINE", str(tmp_path / "refused"))
    settings = Settings.resolve("data/marts.duckdb", "landing")
    assert settings.dagster_home == tmp_path / "shared"
    assert settings.quarantine == tmp_path / "refused"


def test_the_demo_hints_name_what_is_in_use_and_run_as_printed_in_a_fresh_shell(
    close_home, tmp_path, monkeypatch
):
    warehouse = close_home.warehouse
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(state_dir(warehouse) / "dagster"))
    ui, query, export, close = _demo_hints(Settings.resolve(warehouse), ["2026-07", "2026-08"])
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
    ui, _, _, close = _demo_hints(Settings.resolve(warehouse), ["2026-07", "2026-08"])
    prefix = f"  DAGSTER_HOME={tmp_path / 'shared'} {finops} "
    assert prefix + "ui" in ui and prefix + "close" in close
