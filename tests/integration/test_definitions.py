"""The Dagster code location loads and wires ingestion to dbt through the raw sources."""

import json
from datetime import timedelta

import dagster as dg
import pytest
from dagster._core.definitions.freshness import TimeWindowFreshnessPolicy

from finops_warehouse.ingest.formats import FORMATS
from finops_warehouse.orchestration.assets.close import (
    RECONCILIATION_CHECK,
    RECONCILIATION_KEY,
    blocking_check_keys,
)
from finops_warehouse.orchestration.definitions import definitions
from finops_warehouse.orchestration.project import ensure_manifest


@pytest.fixture(scope="module")
def graph():
    return definitions().resolve_asset_graph()


def test_definitions_load_with_lineage_from_raw_tables_to_staging(graph):
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for fmt in FORMATS.values():
        assert f"raw/{fmt.raw_table}" in keys
    staging = [k for k in graph.get_all_asset_keys() if k.path[0] == "staging"]
    assert staging, "dbt staging models are assets"
    # every staging model reads a raw table produced by the ingestion asset, except the close
    # state's, which reads what `finops close` wrote (schema close)
    for key in staging:
        parents = {p.path[0] for p in graph.get(key).parent_keys}
        assert parents == ({"close"} if key.path[1].startswith("stg_close__") else {"raw"}), key


def test_gx_suites_warn_on_every_raw_table_and_the_reconciliation_gate_blocks(graph):
    checks = {spec.key: spec for assets_def in graph.assets_defs for spec in assets_def.check_specs}
    # A refused file is quarantined, never loaded: its check warns, the good files build on.
    for fmt in FORMATS.values():
        key = dg.AssetCheckKey(dg.AssetKey(["raw", fmt.raw_table]), "gx_suite")
        assert not checks[key].blocking
    assert checks[dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK)].blocking
    # dbt tests are asset checks too
    assert any(k.asset_key.path[0] == "staging" for k in checks)


def dbt_nodes() -> dict:
    """dbt's own manifest, read directly: the ground truth for what the translator shows."""
    return json.loads(ensure_manifest().read_text())["nodes"]


def test_every_asset_has_a_description_owners_a_group_and_kinds(graph):
    missing = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        description = node.description or ""
        # dagster-dbt's stand-in for a model without a description starts "dbt model".
        if not description or description.startswith("dbt model"):
            missing.append(f"{key.to_user_string()}: description")
        if not node.owners or not all(o.startswith("team:") for o in node.owners):
            missing.append(f"{key.to_user_string()}: owners {node.owners}")
        if node.group_name in (None, "default"):
            missing.append(f"{key.to_user_string()}: group")
        if not node.kinds:
            missing.append(f"{key.to_user_string()}: kinds")
    assert missing == []

    # A dbt model's kinds say what it leaves in the warehouse, as dbt's manifest says.
    for node in dbt_nodes().values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        if node["config"]["materialized"] == "ephemeral":
            continue  # a part of the models that read it, not an asset (docs/dbt.md, "Layers")
        folder = "seeds" if node["resource_type"] == "seed" else node["fqn"][1]
        kinds = graph.get(dg.AssetKey([folder, node["name"]])).kinds
        stored = "view" if node["config"]["materialized"] == "view" else "table"
        assert {"dbt", "duckdb", stored} <= kinds, node["name"]


def test_dbt_tests_of_error_severity_block_and_warnings_do_not(graph):
    # dagster-dbt names the dbt test behind each check it made.
    checks = {
        spec.metadata["dagster_dbt/unique_id"]: spec
        for assets_def in graph.assets_defs
        for spec in assets_def.check_specs
        if "dagster_dbt/unique_id" in spec.metadata
    }
    nodes = dbt_nodes()
    tests = {uid for uid, n in nodes.items() if n["resource_type"] == "test"}
    assert checks and set(checks) <= tests
    severities = {nodes[uid]["config"]["severity"].lower() for uid in checks}
    assert severities == {"error", "warn"}, "the project has tests of both severities"
    for uid, spec in checks.items():
        error = nodes[uid]["config"]["severity"].lower() == "error"
        assert spec.blocking == error, uid
        assert spec.description.endswith(
            "downstream assets wait." if error else "nothing downstream is held back."
        ), uid
    # What the CLI's summary and the close gate count as blocking: the dbt tests of error
    # severity, per dbt's manifest, and the reconciliation gate; nothing else.
    assert blocking_check_keys(graph) == {
        spec.key
        for uid, spec in checks.items()
        if nodes[uid]["config"]["severity"].lower() == "error"
    } | {dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK)}


def test_the_ingest_and_the_focus_mart_are_expected_to_refresh_daily(graph):
    for key in (["raw", "ingest_manifest"], ["marts", "fct_cost_and_usage"]):
        policy = graph.get(dg.AssetKey(key)).freshness_policy
        assert isinstance(policy, TimeWindowFreshnessPolicy), key
        assert policy.warn_window.to_timedelta() == timedelta(days=1)
        assert policy.fail_window.to_timedelta() == timedelta(days=2)
