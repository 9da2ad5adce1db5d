"""Landing -> raw: one asset per raw table, partitioned by billing month.

A run ingests the landing files whose billing period falls in its partitions (a single run can
cover a range of months). The Great Expectations suite of each format is the asset check of that
raw table: it is blocking, so a refused file stops what is built on the table.
"""

from collections import defaultdict

import dagster as dg

from dagster_project.formats import FORMATS
from dagster_project.ingest import ingest
from dagster_project.partitions import billing_month_partitions, period_label
from dagster_project.resources import WarehouseSettings

RAW_ASSET_KEYS = {name: dg.AssetKey(["raw", fmt.raw_table]) for name, fmt in FORMATS.items()}
MANIFEST_KEY = dg.AssetKey(["raw", "ingest_manifest"])
GX_CHECK = "gx_suite"
ACCEPTED_CHECK = "every_file_accepted"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            description=f"Raw rows of {fmt.description}, as delivered.",
            group_name="raw",
            kinds={"duckdb"},
            skippable=True,
        )
        for key, fmt in ((RAW_ASSET_KEYS[n], f) for n, f in FORMATS.items())
    ]
    + [
        dg.AssetSpec(
            MANIFEST_KEY,
            description="One row per landing file seen: checksum, format, period, rows, status.",
            group_name="raw",
            kinds={"duckdb"},
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            GX_CHECK,
            asset=key,
            blocking=True,
            description="The format's Great Expectations suite passed on every file of the run.",
        )
        for key in RAW_ASSET_KEYS.values()
    ]
    + [
        dg.AssetCheckSpec(
            ACCEPTED_CHECK,
            asset=MANIFEST_KEY,
            blocking=True,
            description="No landing file of the run was refused (unknown formats included).",
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
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=check["metadata"],
            description="; ".join(refused.values()) if refused else "every file passed its suite",
        )
    if MANIFEST_KEY in context.selected_asset_keys:
        yield dg.MaterializeResult(
            asset_key=MANIFEST_KEY,
            metadata={"files_seen": len(report.files), "periods": ", ".join(sorted(periods))},
        )
        refused = {f.path: f.error for f in report.by_status("quarantined")}
        yield dg.AssetCheckResult(
            asset_key=MANIFEST_KEY,
            check_name=ACCEPTED_CHECK,
            passed=not refused,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"refused": dg.MetadataValue.json(refused)},
            description="; ".join(refused.values()) if refused else "no file refused",
        )
