"""The dbt checks that do not run as data tests in every build.

- The unit tests (the SQL rules on fixed inputs) run once, in tests/unit/test_dbt_unit_tests.py:
  `finops run` leaves them out of its `dbt build` (they test the code, not the data).
- A mart column that must never be NULL says so as a contract constraint, which the warehouse
  enforces on every write, instead of a data test that scans the table after it.
"""

from __future__ import annotations

import json

import duckdb

from finops_warehouse.orchestration.project import ensure_manifest


def test_every_not_null_constraint_of_a_mart_is_enforced_by_the_warehouse(demo_run):
    manifest = json.loads(ensure_manifest().read_text())
    declared = {
        (node["name"], column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column["constraints"])
    }
    assert len({model for model, _ in declared}) >= 15, "marts declare few NOT NULL columns"
    con = duckdb.connect(str(demo_run[0] / "warehouse.duckdb"), read_only=True)
    try:
        enforced = set(
            con.execute(
                """
                select table_name, unnest(constraint_column_names)
                from duckdb_constraints()
                where schema_name = 'marts' and constraint_type = 'NOT NULL'
                """
            ).fetchall()
        )
        assert declared <= enforced, sorted(declared - enforced)
    finally:
        con.close()
