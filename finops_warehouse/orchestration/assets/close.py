"""The month-end close as a monthly-partitioned asset, gated by the invoice reconciliation.

`invoices_reconcile` is a blocking check on marts/fct_invoice_reconciliation: in the close job
it runs first and, when an invoice of the month is not matched, fails with ERROR severity, so
Dagster does not start the close asset in that run (the UI shows the check and its reasons).
"""

from pathlib import Path

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.assets.job.asset_job import JobScopedAssetGraph
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)
from dagster._core.storage.event_log.base import EventLogStorage

from finops_warehouse.close import close_period, refusals
from finops_warehouse.close.state import closed_period
from finops_warehouse.orchestration.assets.owners import owners
from finops_warehouse.orchestration.partitions import (
    billing_month_partitions,
    month_start,
    period_label,
)
from finops_warehouse.orchestration.resources import WarehouseSettings, warehouse_tags
from finops_warehouse.warehouse_connection import connect

RECONCILIATION_KEY = dg.AssetKey(["marts", "fct_invoice_reconciliation"])
CLOSE_KEY = dg.AssetKey(["close", "month_end_close"])
RECONCILIATION_CHECK = "invoices_reconcile"
# The dbt models a close reads (built by transform_job; close_marts_job rebuilds the tables
# after a close so dim_billing_period and the adjustments see the new close state; the extract
# lines are a view, current without a rebuild).
CLOSE_INPUT_KEYS = [
    RECONCILIATION_KEY,
    dg.AssetKey(["marts", "fct_close_adjustments"]),
    dg.AssetKey(["marts", "fct_close_extract_lines"]),
    dg.AssetKey(["marts", "fct_showback_monthly"]),
]
CLOSE_MART_KEYS = [
    dg.AssetKey(["seeds", "reconciliation_tolerances"]),
    dg.AssetKey(["intermediate", "int_close_ledger"]),
    dg.AssetKey(["marts", "fct_close_adjustments"]),
    RECONCILIATION_KEY,
    dg.AssetKey(["marts", "dim_billing_period"]),
]

# The close state month_end_close writes (close_period) and the staging models read, so the UI
# shows them with an owner. Not a dependency of month_end_close: the close reads marts built on
# this state, and the UI refuses to draw a graph with a cycle.
CLOSE_STATE_SPECS = [
    dg.AssetSpec(
        ["close", table],
        description=f"{description} Written by close/month_end_close.",
        group_name="close",
        owners=owners("close"),
        kinds={"duckdb", "table"},
    )
    for table, description in (
        ("closed_periods", "One row per closed billing month: when it closed, its manifest hash."),
        (
            "closed_ledger",
            "One row per close and int_close_ledger key: the amounts the close froze, for its "
            "own month and the earlier months whose adjustments it carried.",
        ),
        (
            "closed_showback",
            "One row per close and extract key: the exact amounts of the close's extracts, "
            "for its own month and the earlier months whose adjustments it carried.",
        ),
    )
]


class CloseConfig(dg.Config):
    """Where the extracts go: `<out_root>/<YYYY-MM>/`; empty = $FINOPS_HOME/close."""

    out_root: str = ""


def blocking_check_keys(asset_graph: AssetGraph) -> set[dg.AssetCheckKey]:
    """The checks of the graph declared blocking (a failure holds back downstream assets). A
    non-blocking check whose failure has ERROR severity (a dbt test of error severity) protects
    money too: callers judge it by its evaluation."""
    return {spec.key for spec in _check_specs(asset_graph) if spec.blocking}


def _code_location_graph(context: dg.AssetCheckExecutionContext) -> AssetGraph:
    """The asset graph of the code location the running job belongs to. The job's own graph
    holds only what it selected, and an in-process run (the CLI's) has no repository on its
    context, but every job graph keeps the graph it was selected from."""
    graph = context.job_def.asset_layer.asset_graph
    while isinstance(graph, JobScopedAssetGraph):
        graph = graph.source_asset_graph
    return graph


def _check_specs(asset_graph: AssetGraph) -> list[dg.AssetCheckSpec]:
    return [spec for assets_def in asset_graph.assets_defs for spec in assets_def.check_specs]


def failed_blocking_checks(context: dg.AssetCheckExecutionContext, warehouse: Path) -> list[str]:
    """Checks that protect money (blocking, or dbt tests of error severity) whose latest
    execution on this warehouse failed: the marts a close reads may be stale or wrong.

    Only runs tagged with this warehouse count, so warehouses sharing one Dagster instance
    never gate each other's close."""
    asset_graph = _code_location_graph(context)
    blocking = blocking_check_keys(asset_graph)
    keys = [s.key for s in _check_specs(asset_graph) if s.key.name != RECONCILIATION_CHECK]
    runs = {
        record.dagster_run.run_id
        for record in context.instance.get_run_records(
            dg.RunsFilter(tags=warehouse_tags(warehouse))
        )
    }
    storage = context.instance.event_log_storage
    # One query answers every key whose newest execution is on this warehouse (an instance of
    # its own); the others are looked up further back.
    latest = storage.get_latest_asset_check_execution_by_key(keys)
    failed = []
    for key in sorted(keys, key=lambda k: k.to_user_string()):
        record = latest.get(key)
        if record is not None and record.run_id not in runs:
            record = _latest_execution(storage, key, runs)
        if record is None or record.status != AssetCheckExecutionRecordStatus.FAILED:
            continue
        evaluation = record.evaluation
        if evaluation is None:
            continue
        if key in blocking or evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(
                f"check {key.asset_key.to_user_string()} / {key.name} failed in its last run "
                f"({evaluation.description or 'see the Dagster UI'}): fix it and `finops run`"
            )
    return failed


def _latest_execution(
    storage: EventLogStorage, key: dg.AssetCheckKey, runs: set[str], page: int = 100
) -> AssetCheckExecutionRecord | None:
    """The newest execution of `key` in one of `runs`."""
    cursor = None
    while True:
        records = storage.get_asset_check_execution_history(key, limit=page, cursor=cursor)
        for record in records:
            if record.run_id in runs:
                return record
        if len(records) < page:
            return None
        cursor = records[-1].id


# The month a run of the check is for, outside close_job (whose partition says it).
CLOSE_PERIOD_TAG = "finops/close_period"


def _period_of(context: dg.AssetCheckExecutionContext) -> str | None:
    # The month of the close run (its partition), or of a reconcile_job run (its tag).
    return context.run.tags.get("dagster/partition") or context.run.tags.get(CLOSE_PERIOD_TAG)


@dg.asset_check(
    asset=RECONCILIATION_KEY,
    name=RECONCILIATION_CHECK,
    blocking=True,
    description=(
        "Every invoice of the month being closed ties to Σ BilledCost within its tolerance "
        "(no invoice out of tolerance, missing or without data)."
    ),
)
def invoices_reconcile(
    context: dg.AssetCheckExecutionContext, settings: WarehouseSettings
) -> dg.AssetCheckResult:
    period = _period_of(context)
    if period is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description="run this check in close_job, for one billing month (its partition)",
        )
    start = month_start(period)
    with connect(settings.warehouse_path, read_only=True) as con:
        already = closed_period(con, start)
        reasons = (
            []
            if already
            else refusals(con, start) + failed_blocking_checks(context, settings.warehouse_path)
        )
    description = (
        f"{start:%Y-%m} is closed already ({already.closed_at:%Y-%m-%d %H:%M} UTC)"
        if already
        else "; ".join(reasons) or f"every invoice of {start:%Y-%m} is matched"
    )
    return dg.AssetCheckResult(
        passed=not reasons,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={"billing_period": f"{start:%Y-%m}", "problems": dg.MetadataValue.json(reasons)},
    )


@dg.asset(
    key=CLOSE_KEY,
    deps=CLOSE_INPUT_KEYS,
    partitions_def=billing_month_partitions,
    group_name="close",
    owners=owners("close"),
    kinds={"duckdb", "csv", "parquet"},
    description=(
        "Finance's extracts of a closed billing month (chargeback and showback by cost center "
        "and owner, CSV/XLSX/Parquet, manifest.json), written once; the month is then Closed."
    ),
)
def month_end_close(
    context: dg.AssetExecutionContext, config: CloseConfig, settings: WarehouseSettings
) -> dg.MaterializeResult:
    label = period_label(context.partition_key)
    out_root = Path(config.out_root or settings.close_root)
    result = close_period(settings.warehouse_path, label, out_root)
    if result.already_closed:
        context.log.info(f"{label} was closed already: nothing written")
    return dg.MaterializeResult(
        metadata={
            "directory": dg.MetadataValue.path(str(result.directory)),
            "manifest_sha256": result.manifest_sha256,
            "already_closed": result.already_closed,
            "files": dg.MetadataValue.json({f.name: f.sha256 for f in result.files}),
            "totals": dg.MetadataValue.json(result.totals),
        }
    )
