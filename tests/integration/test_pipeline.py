"""End to end: generated exports -> `finops run` (the real CLI, real Dagster runs, real dbt) ->
warehouse, compared with the generator's ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.generator import generate

pytestmark = pytest.mark.slow


def finops(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def snapshot(warehouse: Path) -> dict[str, list]:
    """Every raw table's rows, the manifest's included, in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        return {
            t: con.execute(f'select * from raw."{t}" order by all').fetchall()
            for t in sorted(tables)
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    truth = generate(root, months=2, seed=7)
    env = {
        **os.environ,
        "FINOPS_HOME": str(root / "home"),
        "DAGSTER_HOME": str(root / "home" / "dagster"),
        "FINOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
    }
    first = finops("run", "--landing", str(root / "landing"), env=env)
    return root, truth, env, first


def test_run_on_generated_exports_succeeds(demo):
    _, _, _, first = demo
    assert first.returncode == 0, first.stdout + first.stderr
    assert "checks:" in first.stdout and "0 failed" in first.stdout


def test_manifest_totals_equal_the_ground_truth_of_every_final_delivery(demo):
    root, _, _, _ = demo
    truth = json.loads((root / "ground_truth.json").read_text())
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        manifest = {
            Path(path).resolve(): (status, rows, total)
            for path, status, rows, total in con.execute(
                "select path, status, rows, cost_total from raw.ingest_manifest"
            ).fetchall()
        }
    assert len(manifest) == len(truth["files"])
    for f in truth["files"]:
        status, rows, total = manifest[(root / f["path"]).resolve()]
        expected_status = "replaced" if f["superseded"] else "loaded"
        assert status == expected_status, f["path"]
        assert rows == f["rows"], f["path"]
        assert Decimal(total) == Decimal(f["cost_total"]), f["path"]


def test_second_run_on_the_same_landing_changes_nothing(demo):
    root, _, env, first = demo
    assert first.returncode == 0
    before = snapshot(root / "warehouse.duckdb")
    second = finops("run", "--landing", str(root / "landing"), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert snapshot(root / "warehouse.duckdb") == before


def test_redelivered_month_leaves_only_the_newest_delivery(demo):
    root, _, _, _ = demo
    truth = json.loads((root / "ground_truth.json").read_text())
    superseded = [f for f in truth["files"] if f["superseded"]]
    assert superseded, "the generator must restate a month"
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        for old in superseded:
            newest = [
                f
                for f in truth["files"]
                if not f["superseded"]
                and (f["format"], f["billing_account_id"], f["billing_period"])
                == (old["format"], old["billing_account_id"], old["billing_period"])
            ]
            assert len(newest) == 1
            rows, sources = con.execute(
                f"""
                select count(*), count(distinct _source_file) from raw.{old["format"]}
                where _billing_account_id = ? and strftime(_billing_period, '%Y-%m') = ?
                """,
                [old["billing_account_id"], old["billing_period"]],
            ).fetchone()
            assert (rows, sources) == (newest[0]["rows"], 1)
