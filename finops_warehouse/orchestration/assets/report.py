"""The month-in-review report as a monthly-partitioned asset, downstream of the marts it reads."""

from pathlib import Path

import dagster as dg

from finops_warehouse.orchestration.assets.owners import owners
from finops_warehouse.orchestration.partitions import billing_month_partitions, period_label
from finops_warehouse.orchestration.resources import WarehouseSettings
from finops_warehouse.report import report_file_name, write_report

REPORT_KEY = dg.AssetKey(["report", "month_in_review"])
# Every mart a section reads (finops_warehouse/report/queries.py); the data quality section also
# reads raw.ingest_manifest, which the raw assets upstream of these marts write.
REPORT_INPUT_KEYS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_cost_and_usage",
        "dim_billing_period",
        "fct_invoice_reconciliation",
        "dim_commitment",
        "fct_commitment_utilization_monthly",
        "fct_commitment_coverage_daily",
        "fct_commitment_savings_monthly",
        "fct_commitment_expiry",
        "fct_commitment_purchase_recommendation",
        "fct_showback_monthly",
        "kpi_finops_monthly",
        "fct_unit_cost_daily",
        "fct_cost_anomaly",
    )
]


class ReportConfig(dg.Config):
    """Where the page goes; empty = $FINOPS_HOME/reports/month-in-review-<YYYY-MM>.html."""

    out: str = ""


@dg.asset(
    key=REPORT_KEY,
    deps=REPORT_INPUT_KEYS,
    partitions_def=billing_month_partitions,
    group_name="report",
    owners=owners("report"),
    kinds={"duckdb", "html"},
    description=(
        "The month in review: one self-contained HTML page per billing month (summary, top "
        "movers, rate optimization, allocation, unit economics, invoicing and close, data "
        "quality), Closed or Open; written to $FINOPS_HOME/reports/ (docs/report.md)."
    ),
)
def month_in_review(
    context: dg.AssetExecutionContext, config: ReportConfig, settings: WarehouseSettings
) -> dg.MaterializeResult:
    label = period_label(context.partition_key)
    out = Path(config.out) if config.out else Path(settings.reports_dir) / report_file_name(label)
    path = write_report(settings.warehouse_path, label, out)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
    )
