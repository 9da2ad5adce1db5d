"""The dbt layers mean what their folders say (docs/dbt.md, "Layers"), read from the manifest.

- staging reads only sources;
- intermediate reads staging, intermediate, seeds and the core: the FOCUS mart
  (`models/marts/focus/`), which itself reads no other mart;
- a mart reads anything but sources and the intermediate models of another domain that has
  marts of its own (a domain without marts, such as currency, serves every domain), unless
  its YAML names the model under `meta: {reads_other_domains: [...]}` and says why (an entry
  that excuses no ref fails too).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

import pytest

from finops_warehouse.orchestration.project import ensure_manifest

CORE_DOMAIN = "focus"


def layer_violations(manifest: Mapping[str, Any]) -> list[str]:
    """Every ref that breaks the layer rule, as `<model> (<layer>/<domain>) reads <parent>: why`."""
    models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    mart_domains = {_place(node)[1] for node in models.values() if _place(node)[0] == "marts"}
    found = []
    for node in models.values():
        layer, domain = _place(node)
        declared = set(node["config"].get("meta", {}).get("reads_other_domains", []))
        for parent in node["depends_on"]["nodes"]:
            kind, name = parent.split(".")[0], parent.split(".")[-1]
            parent_layer, parent_domain = (
                _place(models[parent]) if kind == "model" else (kind, None)
            )
            why = _rule_broken(layer, domain, parent_layer, parent_domain, mart_domains)
            if why == _OTHER_DOMAIN and name in declared:
                declared.discard(name)
            elif why:
                found.append(f"{node['name']} ({layer}/{domain}) reads {name}: {why}")
        # An exception that excuses nothing (the ref is gone, or allowed anyway) is stale.
        found += [
            f"{node['name']} ({layer}/{domain}) declares {name}: no exception needed"
            for name in declared
        ]
    return sorted(found)


_OTHER_DOMAIN = "another domain's intermediate model"


def _rule_broken(
    layer: str, domain: str, parent_layer: str, parent_domain: str | None, mart_domains: set[str]
) -> str | None:
    if layer == "staging":
        return None if parent_layer == "source" else "staging reads only sources"
    if layer == "intermediate":
        if parent_layer in ("staging", "intermediate", "seed"):
            return None
        if parent_layer == "marts" and parent_domain == CORE_DOMAIN:
            return None
        return "intermediate reads only staging, intermediate, seeds and the FOCUS mart"
    if layer == "marts":
        if parent_layer == "source":
            return "a mart reads staging, not sources"
        if domain == CORE_DOMAIN and parent_layer == "marts":
            return "the FOCUS mart is the core: it reads no other mart"
        if (
            parent_layer == "intermediate"
            and parent_domain != domain
            and parent_domain in mart_domains
        ):
            return _OTHER_DOMAIN
        return None
    return "a model sits in models/staging, models/intermediate or models/marts"


def _place(node: Mapping[str, Any]) -> tuple[str, str | None]:
    """(layer, domain) from the model's folders: models/<layer>/<domain>/<model>.sql."""
    folders = node["fqn"][1:-1]
    return (folders[0] if folders else "models", folders[1] if len(folders) > 1 else None)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(ensure_manifest().read_text())


def test_every_model_reads_only_the_layers_its_folder_allows(manifest):
    assert layer_violations(manifest) == []


def test_a_ref_across_the_layers_is_named_with_its_model(manifest):
    broken = copy.deepcopy(manifest)
    nodes = broken["nodes"]
    # An intermediate model reading a domain's mart, a mart reading another domain's
    # intermediate model, staging reading a seed, the core reading a mart.
    nodes["model.finops.int_close_ledger"]["depends_on"]["nodes"].append(
        "model.finops.fct_cost_allocation"
    )
    nodes["model.finops.fct_budget_status"]["depends_on"]["nodes"].append(
        "model.finops.int_commitment_terms"
    )
    nodes["model.finops.stg_invoices__invoices"]["depends_on"]["nodes"].append(
        "seed.finops.allocation_owners"
    )
    nodes["model.finops.fct_cost_and_usage"]["depends_on"]["nodes"].append(
        "model.finops.dim_commitment"
    )
    # An exception for a ref the mart does not make.
    nodes["model.finops.fct_showback_monthly"]["config"]["meta"]["reads_other_domains"] = [
        "int_cost_anomaly_days"
    ]
    assert layer_violations(broken) == [
        "fct_budget_status (marts/budgets) reads int_commitment_terms: " + _OTHER_DOMAIN,
        "fct_cost_and_usage (marts/focus) reads dim_commitment: the FOCUS mart is the core: "
        "it reads no other mart",
        "fct_showback_monthly (marts/allocation) declares int_cost_anomaly_days: no exception "
        "needed",
        "int_close_ledger (intermediate/close) reads fct_cost_allocation: intermediate reads "
        "only staging, intermediate, seeds and the FOCUS mart",
        "stg_invoices__invoices (staging/invoices) reads allocation_owners: staging reads only "
        "sources",
    ]
