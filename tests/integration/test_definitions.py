"""The Dagster code location loads and wires ingestion to dbt through the raw sources."""

import dagster as dg

from dagster_project.assets.close import RECONCILIATION_CHECK, RECONCILIATION_KEY
from dagster_project.formats import FORMATS
from dagster_project.project import ensure_manifest


def test_definitions_load_with_lineage_from_raw_tables_to_staging():
    ensure_manifest()
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
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


def test_gx_suites_warn_on_every_raw_table_and_the_reconciliation_gate_blocks():
    ensure_manifest()
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    checks = {spec.key: spec for assets_def in graph.assets_defs for spec in assets_def.check_specs}
    # A refused file is quarantined, never loaded: its check warns, the good files build on.
    for fmt in FORMATS.values():
        key = dg.AssetCheckKey(dg.AssetKey(["raw", fmt.raw_table]), "gx_suite")
        assert not checks[key].blocking
    assert checks[dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK)].blocking
    # dbt tests are asset checks too
    assert any(k.asset_key.path[0] == "staging" for k in checks)
