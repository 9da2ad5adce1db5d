"""End to end through the real CLI: generated exports -> `finops run` (real Dagster runs, real
dbt, a real DuckDB file). Ingestion's own totals against the ground truth are tested in
test_ingest_generated.py, a re-run that changes nothing in test_incremental.py; this file tests
what the CLI adds: the whole graph and its run records."""

import duckdb


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
