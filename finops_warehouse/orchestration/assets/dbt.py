"""dbt models as Dagster assets; dbt tests become asset checks.

The translator derives everything from the dbt folder path, so a new model needs no Python:
`models/<layer>/<domain>/<model>.sql` is asset `<layer>/<model>` in group `<layer>`, and a source
is `<schema>/<table>`: for `raw`, the ingestion asset that loads it; for `close`, the state the
month-end close writes.

The models are partitioned by billing month like the raw tables: a run over a range of months is
one `dbt build` whose environment names the range, so the incremental models replace exactly
those months and the others (full tables, views) rebuild whole (docs/dbt.md, "Incremental
builds").
"""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtProject,
    dbt_assets,
)

from finops_warehouse.orchestration.assets.owners import DAILY, owners
from finops_warehouse.orchestration.partitions import (
    billing_month_partitions,
    partition_range_to_dbt_env,
)
from finops_warehouse.orchestration.project import WarehouseDbtCli


def model_layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """The layer folder of a model (`staging`, `intermediate`, `marts`), from its dbt fqn."""
    fqn = dbt_resource_props["fqn"]
    # fqn = [project, <folders under models/>..., model]; a model directly under models/ has none.
    return fqn[1] if len(fqn) > 2 else "models"


# What a model leaves in the warehouse, shown as a kind in the UI (an incremental model and a
# seed are tables too).
STORAGE_KINDS = {"table": "table", "incremental": "table", "seed": "table", "view": "view"}
FOCUS_MART_KEY = dg.AssetKey(["marts", "fct_cost_and_usage"])


def check_description(test: Mapping[str, Any]) -> str:
    """What a dbt test checks and what its failure does, for a check that has no description."""
    generic = test.get("test_metadata")
    if not generic:
        what = f"dbt data test {test['original_file_path']}"
    elif test["column_name"]:
        what = f"dbt test {generic['name']} on {test['column_name']}"
    else:
        what = f"dbt test {generic['name']}"
    # dagster-dbt makes an error-severity test blocking and reports its failure as ERROR.
    if test["config"]["severity"].lower() == "error":
        return f"{what}. Blocking (ERROR): a failure fails the run; downstream assets wait."
    return f"{what}. WARN: a failure is reported; nothing downstream is held back."


class FolderTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return self._layer(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        if dbt_resource_props["resource_type"] == "source":
            return None  # a source is the asset that loads it: its owner is set there
        return owners(self._layer(dbt_resource_props))

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        storage = STORAGE_KINDS.get(props.get("config", {}).get("materialized"))
        if storage:
            spec = spec.merge_attributes(kinds={storage})
        if spec.key == FOCUS_MART_KEY:
            spec = spec.replace_attributes(freshness_policy=DAILY)
        return spec

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=check_description(manifest["nodes"][unique_id]))

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return model_layer(dbt_resource_props)


# Unit tests check the SQL rules on fixed inputs, not the data: they belong to CI
# (tests/unit/test_dbt_unit_tests.py), and in every run they were half of a small
# build's time. --no-write-json: the invocation's manifest.json (written twice), graph and
# run_results.json, which no run reads (the results come from dbt's event stream; the asset
# definitions from the manifest of `dbt parse`); the compiled SQL and dbt.log stay.
# FINOPS_DBT_ARTIFACTS=1 keeps them, for a look at the slowest nodes (benchmarks/scale.py).
PRODUCTION_BUILD_ARGS = ("--exclude-resource-type", "unit_test")


def artifact_args() -> tuple[str, ...]:
    return () if os.environ.get("FINOPS_DBT_ARTIFACTS") == "1" else ("--no-write-json",)


translator = FolderTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    """full_refresh: rebuild the incremental models from all of raw (`dbt build --full-refresh`),
    e.g. after a rule or seed change that touches months already built."""

    full_refresh: bool = False


def build_warehouse_models(project: DbtProject) -> dg.AssetsDefinition:
    """The dbt models of `project` as one multi-asset, read from its manifest (which must exist:
    project.ensure_manifest)."""

    @dbt_assets(
        manifest=project.manifest_path,
        dagster_dbt_translator=translator,
        project=project,
        partitions_def=billing_month_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def warehouse_models(
        context: dg.AssetExecutionContext, dbt: WarehouseDbtCli, config: DbtBuildConfig
    ):
        """Build every selected model and run its data tests (`dbt build`); a failing test fails
        the run."""
        months = context.partition_key_range
        args = [
            "build",
            *PRODUCTION_BUILD_ARGS,
            *artifact_args(),
            *(["--full-refresh"] if config.full_refresh else []),
        ]
        # The months go to dbt in its environment: as --vars each new range would cost dbt a
        # full parse of the project.
        months_env = partition_range_to_dbt_env(months.start, months.end)
        yield from dbt.with_environment(months_env).cli(args, context=context).stream()

    return warehouse_models
