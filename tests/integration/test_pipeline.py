"""End to end through the real CLI: generated exports -> `finops run` (real Dagster runs, real
dbt, a real DuckDB file). Ingestion's own totals against the ground truth are tested in
test_ingest_generated.py; this file tests what the CLI adds: the whole graph and its re-runs."""

import hashlib
from pathlib import Path

import duckdb


def snapshot(warehouse: Path) -> dict[str, list]:
    """Every raw table's rows, the manifest's included, in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        return {t: con.execute(f'select * from raw."{t}" order by all').fetchall() for t in tables}


def test_run_ingests_every_month_and_passes_every_check(demo_run):
    home, _, _, truth, first = demo_run
    assert first.returncode == 0, first.stdout + first.stderr
    months = ", ".join(truth["billing_periods"])
    assert f"billing months: {months}" in first.stdout
    assert " 0 failed" in first.stdout
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        (files,) = con.execute("select count(*) from raw.ingest_manifest").fetchone()
        (staged,) = con.execute("select count(*) from staging.stg_aws_cur__line_items").fetchone()
    assert files == len(truth["files"])
    assert staged > 0


def test_runs_are_recorded_in_the_dagster_instance_the_ui_reads(demo_run):
    home, _, _, _, first = demo_run
    assert first.returncode == 0
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        jobs = {run.job_name for run in instance.get_runs()}
    assert {"ingest_job", "transform_job"} <= jobs


def marts_snapshot(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Each relation of schema marts: its row count and the sha256 of its rows sorted by every
    column (values as Python reprs: Decimal, date and timestamp keep every digit)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        result = {}
        for (name,) in names:
            rows = con.execute(f'select * from marts."{name}" order by all').fetchall()
            digest = hashlib.sha256("\n".join(map(repr, rows)).encode()).hexdigest()
            result[name] = (len(rows), digest)
        return result


def test_second_run_on_the_same_landing_changes_nothing(demo_run, close_home, finops_cli):
    """Raw tables and every mart stay identical, row for row. Only DaysToExpiry counts from the
    run date (macro run_date()): runs on two days would differ there, and nowhere else."""
    _, _, root, _, _ = demo_run
    before, marts = snapshot(close_home.warehouse), marts_snapshot(close_home.warehouse)
    assert len(marts) >= 17 and marts["fct_cost_and_usage"][0] > 0
    # The landing the copied warehouse was built from (a copy of it would be new paths).
    second = finops_cli("run", "--landing", str(root / "landing"), env=close_home.env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing changed: all" in second.stdout
    assert snapshot(close_home.warehouse) == before
    after = marts_snapshot(close_home.warehouse)
    changed = sorted(n for n in marts.keys() | after.keys() if marts.get(n) != after.get(n))
    assert changed == [], f"marts that differ after the same run again: {changed}"
