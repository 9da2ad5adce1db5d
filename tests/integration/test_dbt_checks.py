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


def test_every_model_and_column_description_is_a_comment_in_the_warehouse(demo_run):
    # persist_docs (dbt_project.yml), in one query per model: macros/relations/persist_docs.sql.
    manifest = json.loads(ensure_manifest().read_text())
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    ]
    con = duckdb.connect(str(demo_run[0] / "warehouse.duckdb"), read_only=True)
    try:
        relations = {
            (schema, name): comment
            for schema, name, comment in con.execute(
                "select schema_name, table_name, comment from duckdb_tables() union all "
                "select schema_name, view_name, comment from duckdb_views() where not internal"
            ).fetchall()
        }
        columns = {
            (schema, table, column): comment
            for schema, table, column, comment in con.execute(
                "select schema_name, table_name, column_name, comment from duckdb_columns()"
            ).fetchall()
        }
    finally:
        con.close()
    documented = 0
    for node in models:
        key = (node["schema"], node["alias"])
        assert relations.get(key) == (node["description"] or None), key
        for name, column in node["columns"].items():
            if (*key, name) in columns:
                assert columns[(*key, name)] == column["description"], (*key, name)
                documented += 1
    assert documented > 1000, documented
