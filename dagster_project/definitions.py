"""The Dagster code location: assets, checks, jobs, sensors and resources, nothing else."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.ingest import raw_exports
from dagster_project.resources import build_resources
from dagster_project.sensors import build_sensors

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(raw_exports),
    description="Landing files of the selected billing months -> raw tables and manifest.",
)
transform_job = dg.define_asset_job(
    "transform_job",
    selection=dg.AssetSelection.assets(warehouse_models),
    description="dbt build: every model and its tests.",
)

defs = dg.Definitions(
    assets=[raw_exports, warehouse_models],
    jobs=[ingest_job, transform_job],
    sensors=build_sensors(ingest_job, transform_job),
    resources=build_resources(),
)
