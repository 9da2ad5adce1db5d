"""Landing -> raw: one asset per raw table, partitioned by billing month.

A run ingests the landing files whose billing period falls in its partitions (a single run can
cover a range of months). The Great Expectations suite of each format is the asset check of that
raw table. A refused file never reaches a raw table (it is quarantined), so the checks warn
rather than block: everything else is built, and the billing months the file would have fed are
held back (dim_billing_period.IsHeldBack) so that `finops close` refuses them.
"""

from collections import defaultdict

import dagster as dg

from finops_warehouse.ingest import FileResult, ingest
from finops_warehouse.ingest.formats import FORMATS
from finops_warehouse.orchestration.assets.owners import DAILY, owners
from finops_warehouse.orchestration.partitions import billing_month_partitions, period_label
from finops_warehouse.orchestration.resources import WarehouseSettings

RAW_ASSET_KEYS = {name: dg.AssetKey(["raw", fmt.raw_table]) for name, fmt in FORMATS.items()}
MANIFEST_KEY = dg.AssetKey(["raw", "ingest_manifest"])
PARTITIONS_KEY = dg.AssetKey(["raw", "ingest_partitions"])
GX_CHECK = "gx_suite"
ACCEPTED_CHECK = "every_file_accepted"
FILES_METADATA = "files"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            description=f"Raw rows of {fmt.description}, as delivered.",
            group_name="raw",
            owners=owners("raw"),
            kinds={"duckdb", "table"},
            skippable=True,
        )
        for key, fmt in ((RAW_ASSET_KEYS[n], f) for n, f in FORMATS.items())
    ]
    + [
        dg.AssetSpec(
            MANIFEST_KEY,
            description="One row per landing file seen: checksum, format, period, rows, status.",
            group_name="raw",
            owners=owners("raw"),
            kinds={"duckdb", "table"},
            # Written by every ingest run, whichever formats arrived: the asset that says
            # whether the landing is being read at all (docs/dagster-ui.md, "Freshness").
            freshness_policy=DAILY,
        ),
        dg.AssetSpec(
            PARTITIONS_KEY,
            description=(
                "One row per loaded file x partition (provider x billing account x billing "
                "month) x currency: which delivery is live for each month."
            ),
            group_name="raw",
            owners=owners("raw"),
            kinds={"duckdb", "table"},
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            GX_CHECK,
            asset=key,
            description=(
                "The format's Great Expectations suite passed on every file of the run (WARN: a "
                "refused file is quarantined, not loaded, and holds its billing months back)."
            ),
        )
        for key in RAW_ASSET_KEYS.values()
    ]
    + [
        dg.AssetCheckSpec(
            ACCEPTED_CHECK,
            asset=MANIFEST_KEY,
            description=(
                "No landing file of the run was refused, unknown formats included (WARN: the "
                "refused files are quarantined and the months they would have fed held back)."
            ),
        )
    ],
    partitions_def=billing_month_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
)
def raw_exports(context: dg.AssetExecutionContext, settings: WarehouseSettings):
    periods = {period_label(key) for key in context.partition_keys}
    report = ingest(
        warehouse=settings.warehouse_path,
        landing=settings.landing,
        quarantine=settings.quarantine_path,
        periods=periods,
        progress=lambda message: context.log.info(message),
    )
    by_format = defaultdict(list)
    for result in report.files:
        if result.format in RAW_ASSET_KEYS:
            by_format[result.format].append(result)

    for name, key in RAW_ASSET_KEYS.items():
        if key not in context.selected_asset_keys:
            continue
        files = by_format.get(name, [])
        if files:
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "files": len(files),
                    "rows_loaded": sum(f.rows or 0 for f in files if f.status == "loaded"),
                    "statuses": dg.MetadataValue.json({f.path: f.status for f in files}),
                },
            )
        check = report.check_result(name)
        refused = check["metadata"]["refused"]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=GX_CHECK,
            passed=check["passed"],
            severity=dg.AssetCheckSeverity.WARN,
            metadata=check["metadata"],
            description="; ".join(refused.values()) if refused else "every file passed its suite",
        )
    if PARTITIONS_KEY in context.selected_asset_keys:
        yield dg.MaterializeResult(
            asset_key=PARTITIONS_KEY, metadata={"periods": ", ".join(sorted(periods))}
        )
    if MANIFEST_KEY in context.selected_asset_keys:
        yield dg.MaterializeResult(
            asset_key=MANIFEST_KEY,
            metadata={
                "files_seen": len(report.files),
                "periods": ", ".join(sorted(periods)),
                FILES_METADATA: dg.MetadataValue.json([file_outcome(f) for f in report.files]),
            },
        )
        refused = report.by_status("quarantined")
        yield dg.AssetCheckResult(
            asset_key=MANIFEST_KEY,
            check_name=ACCEPTED_CHECK,
            passed=not refused,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "refused": dg.MetadataValue.json({f.path: f.error for f in refused}),
                "quarantined_to": dg.MetadataValue.json(
                    {f.path: f.quarantined_to for f in refused}
                ),
                "held_back_months": dg.MetadataValue.json(
                    {f.path: list(f.billing_periods) for f in refused}
                ),
            },
            description="; ".join(_refusal(f) for f in refused) if refused else "no file refused",
        )


def file_outcome(result: FileResult) -> dict:
    """What ingest did with one file, as JSON for the run's metadata and the CLI's table."""
    return {
        "path": result.path,
        "status": result.status,
        "format": result.format,
        "billing_periods": list(result.billing_periods),
        "rows": result.rows,
        "cost_total": None if result.cost_total is None else str(result.cost_total),
        "currency": result.currency,
        "error": result.error,
        "quarantined_to": result.quarantined_to,
    }


def _refusal(result: FileResult) -> str:
    months = ", ".join(result.billing_periods) or "unknown (its path names none)"
    return (
        f"{result.path} quarantined to {result.quarantined_to}: {result.error} "
        f"(billing months held back: {months})"
    )
