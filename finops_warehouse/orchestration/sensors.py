"""Sensors: new exports in the landing directory start an ingest; a finished ingest starts dbt."""

import hashlib
import json

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from finops_warehouse.ingest import plan_landing
from finops_warehouse.orchestration.partitions import partition_key
from finops_warehouse.orchestration.resources import WarehouseSettings
from finops_warehouse.settings import landing_plans


def new_deliveries(
    seen: dict[str, str], landing_files
) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Group files not seen before (by path and checksum) by the billing periods they hold.

    Returns the periods to ingest with the files that triggered them, and the updated cursor.
    A file holding several months triggers each of them. Files without a period (unknown
    format, unreadable) go to the period-less key "" so the run that follows quarantines them
    with their error.
    """
    cursor = dict(seen)
    periods: dict[str, set[str]] = {}
    for f in landing_files:
        if seen.get(f.path) == f.sha256:
            continue
        cursor[f.path] = f.sha256
        for period in f.billing_periods or ("",):
            periods.setdefault(period, set()).add(f.path)
    return periods, cursor


def _digest(checksums: list[str]) -> str:
    return hashlib.sha256("".join(checksums).encode()).hexdigest()[:16]


def build_sensors(ingest_job: dg.JobDefinition, transform_job: dg.JobDefinition):
    @dg.sensor(
        job=ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
    )
    def landing_sensor(context: dg.SensorEvaluationContext, settings: WarehouseSettings):
        """Requests an ingest of every billing month that received a new or changed export."""
        seen = json.loads(context.cursor) if context.cursor else {}
        planned = plan_landing(settings.landing, landing_plans(settings.warehouse))
        periods, cursor = new_deliveries(seen, planned)
        for period, paths in sorted(periods.items()):
            if not period:
                context.log.warning(f"files with no billing period: {sorted(paths)}")
                continue
            yield dg.RunRequest(
                run_key=f"{period}:{_digest(sorted(cursor[p] for p in paths))}",
                partition_key=partition_key(period),
            )
        context.update_cursor(json.dumps(cursor, sort_keys=True))

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest_job],
        request_job=transform_job,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def transform_after_ingest(context: dg.RunStatusSensorContext):
        """Rebuilds the dbt models and their tests over the billing months the ingest run
        loaded (its partition or range of partitions)."""
        partition_tags = (
            PARTITION_NAME_TAG,
            ASSET_PARTITION_RANGE_START_TAG,
            ASSET_PARTITION_RANGE_END_TAG,
        )
        tags = context.dagster_run.tags
        return dg.RunRequest(
            run_key=context.dagster_run.run_id,
            tags={name: tags[name] for name in partition_tags if name in tags},
        )

    return [landing_sensor, transform_after_ingest]
