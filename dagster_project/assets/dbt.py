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
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from dagster_project.partitions import billing_month_partitions, partition_range_to_dbt_env
from dagster_project.project import dbt_project


def model_layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """The layer folder of a model (`staging`, `intermediate`, `marts`), from its dbt fqn."""
    fqn = dbt_resource_props["fqn"]
    # fqn = [project, <folders under models/>..., model]; a model directly under models/ has none.
    return fqn[1] if len(fqn) > 2 else "models"


class FolderTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return self._layer(dbt_resource_props)

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return model_layer(dbt_resource_props)


# Unit tests check the SQL rules on fixed inputs, not the data: they belong to CI
# (tests/integration/test_dbt_unit_tests.py), and in every run they were half of a small
# build's time.
PRODUCTION_BUILD_ARGS = ("--exclude-resource-type", "unit_test")

translator = FolderTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    """full_refresh: rebuild the incremental models from all of raw (`dbt build --full-refresh`),
    e.g. after a rule or seed change that touches months already built."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    project=dbt_project,
    partitions_def=billing_month_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
):
    """Build every selected model and run its data tests (`dbt build`); a failing test fails the
    run."""
    months = context.partition_key_range
    args = ["build", *PRODUCTION_BUILD_ARGS, *(["--full-refresh"] if config.full_refresh else [])]
    # The months go to dbt in its environment (dagster-dbt passes this process's on); as --vars
    # each new range would cost dbt a full parse of the project.
    with _environment(partition_range_to_dbt_env(months.start, months.end)):
        invocation = dbt.cli(args, context=context)
    yield from invocation.stream()


@contextmanager
def _environment(values: dict[str, str]):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
