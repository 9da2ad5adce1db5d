"""Every dbt unit test (the SQL rules on fixed inputs) passes, once per suite.

`finops run` leaves them out of its `dbt build` (orchestration/assets/dbt.py): they test the
code, not the data. dbt reads the column types of each tested model's inputs from the
warehouse, so the project is first built empty (`dbt build --empty`: every model with its
columns and no rows, over the empty raw tables ingestion creates). No data is needed, so this
runs in the fast lane (`make test-fast`).
"""

from __future__ import annotations

import json

from dbt_runs import run_dbt_on

from finops_warehouse.ingest.warehouse import connect
from finops_warehouse.orchestration.project import ensure_manifest


def test_every_dbt_unit_test_passes(tmp_path):
    declared = set(json.loads(ensure_manifest().read_text())["unit_tests"])
    assert declared, "the project declares no dbt unit test"
    warehouse = tmp_path / "warehouse.duckdb"
    connect(warehouse).close()  # the raw tables and the close and ingestion state, empty

    built = run_dbt_on(
        warehouse,
        [
            "build",
            "--empty",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        tmp_path / "build",
    )
    assert built.returncode == 0, built.stdout[-4000:]
    done = run_dbt_on(warehouse, ["test", "--select", "test_type:unit"], tmp_path / "test")

    results = json.loads((tmp_path / "test" / "target" / "run_results.json").read_text())
    unit_results = [r for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    failed = [r["unique_id"] for r in unit_results if r["status"] != "pass"]
    assert done.returncode == 0 and not failed, f"{failed}\n{done.stdout[-4000:]}"
    assert {r["unique_id"] for r in unit_results} == declared
