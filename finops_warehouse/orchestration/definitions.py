"""The Dagster code location: assets, checks, jobs, sensors and resources, nothing else.

`definitions` is a function (`@dg.definitions`): importing this module reads no manifest and no
setting, so it imports in any order, in a fresh clone too. Dagster calls it when it loads the
location, and it builds the definitions for the settings the environment gives at that moment
(`Settings.resolve`); the `finops` CLI builds them for the settings of its command line with
`build_definitions`. Either parses the dbt project first if its manifest is missing or stale.
"""

from __future__ import annotations

import dagster as dg

from finops_warehouse.orchestration import run_history
from finops_warehouse.orchestration.assets.anomalies import no_open_cost_anomalies
from finops_warehouse.orchestration.assets.close import (
    CLOSE_MART_KEYS,
    CLOSE_STATE_SPECS,
    invoices_reconcile,
    month_end_close,
)
from finops_warehouse.orchestration.assets.dbt import build_warehouse_models
from finops_warehouse.orchestration.assets.ingest import raw_exports
from finops_warehouse.orchestration.assets.report import month_in_review
from finops_warehouse.orchestration.project import dbt_project, ensure_manifest
from finops_warehouse.orchestration.resources import build_resources, warehouse_tags
from finops_warehouse.orchestration.sensors import build_sensors
from finops_warehouse.settings import Settings

# The reconciliation gate belongs to one month's close (close_job), not to every dbt build.
CLOSE_GATE = dg.AssetSelection.checks(invoices_reconcile)


@dg.definitions
def definitions() -> dg.Definitions:
    return build_definitions(Settings.resolve())


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location working on the warehouse, landing and quarantine of `settings`."""
    ensure_manifest()
    # Runs launched from the UI record their events in the processes that load these definitions.
    run_history.install()
    warehouse_models = build_warehouse_models(dbt_project())
    # Runs started from the UI or a sensor name their warehouse too (the close gate reads only
    # its own warehouse's checks); the CLI tags each run itself (runner._execute).
    run_tags = warehouse_tags(settings.warehouse)

    ingest_job = dg.define_asset_job(
        "ingest_job",
        run_tags=run_tags,
        selection=dg.AssetSelection.assets(raw_exports),
        description="Landing files of the selected billing months -> raw tables and manifest.",
    )
    transform_job = dg.define_asset_job(
        "transform_job",
        run_tags=run_tags,
        selection=dg.AssetSelection.assets(warehouse_models) - CLOSE_GATE,
        description="dbt build: every model and its tests.",
    )
    close_marts_job = dg.define_asset_job(
        "close_marts_job",
        run_tags=run_tags,
        selection=dg.AssetSelection.assets(*CLOSE_MART_KEYS) - CLOSE_GATE,
        description="dbt build of the reconciliation, adjustments and billing periods, with tests.",
    )
    close_job = dg.define_asset_job(
        "close_job",
        run_tags=run_tags,
        selection=dg.AssetSelection.assets(month_end_close) | CLOSE_GATE,
        description="Reconcile the month (blocking check), then write its extracts and close it.",
    )
    # After close_marts_job rebuilt fct_invoice_reconciliation, the gate is evaluated again for
    # the closed month (tag finops/close_period), so the UI shows its result on the current table.
    reconcile_job = dg.define_asset_job(
        "reconcile_job",
        run_tags=run_tags,
        selection=CLOSE_GATE,
        description="The reconciliation gate of one billing month (tag finops/close_period).",
    )
    report_job = dg.define_asset_job(
        "report_job",
        run_tags=run_tags,
        selection=dg.AssetSelection.assets(month_in_review),
        description="The month-in-review HTML report of one billing month.",
    )

    return dg.Definitions(
        assets=[
            raw_exports,
            warehouse_models,
            month_end_close,
            *CLOSE_STATE_SPECS,
            month_in_review,
        ],
        asset_checks=[invoices_reconcile, no_open_cost_anomalies],
        jobs=[ingest_job, transform_job, close_marts_job, close_job, reconcile_job, report_job],
        sensors=build_sensors(ingest_job, transform_job),
        resources=build_resources(settings),
    )
