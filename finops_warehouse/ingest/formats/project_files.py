"""The project's own CSVs: invoice totals, business metrics, anomaly labels."""

from __future__ import annotations

from .base import (
    MONEY,
    Detection,
    ExportFormat,
    month_sql,
    parse_timestamp_sql,
    quote,
    text_columns,
)

# --- Project CSVs --------------------------------------------------------------------------------

INVOICES = ExportFormat(
    key="invoices",
    description="Invoice totals, the project's generic CSV",
    file_types=("csv",),
    detect=Detection(all_of=("invoice_id", "invoice_issuer", "billing_period", "amount")),
    columns=text_columns(
        "invoice_id invoice_issuer provider billing_account_id billing_period currency amount "
        "issue_date"
    ),
    required=(
        "invoice_id",
        "invoice_issuer",
        "provider",
        "billing_account_id",
        "billing_period",
        "currency",
        "amount",
        "issue_date",
    ),
    billing_account_sql=quote("billing_account_id"),
    billing_period_sql="CAST(strptime(billing_period, '%Y-%m') AS DATE)",
    cost_sql=f"CAST({quote('amount')} AS {MONEY})",
    currency_sql=quote("currency"),
    numeric_columns=("amount",),
    timestamp_columns=("issue_date",),
    id_columns=("invoice_id", "billing_account_id", "billing_period", "currency"),
)

BUSINESS_METRICS = ExportFormat(
    key="business_metrics",
    description="Daily business metrics date,product,metric,value",
    file_types=("csv",),
    detect=Detection(all_of=("date", "product", "metric", "value")),
    columns=text_columns("date product metric value"),
    required=("date", "product", "metric", "value"),
    # Business metrics have no billing account; the grain of replacement is the month.
    billing_account_sql="'business_metrics'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("date"))),
    # Not money: the manifest's control total of a metrics file is the sum of its values.
    cost_sql=f"CAST({quote('value')} AS {MONEY})",
    currency_sql=None,
    numeric_columns=("value",),
    timestamp_columns=("date",),
    id_columns=("date", "product", "metric"),
)

ANOMALY_LABELS = ExportFormat(
    key="anomaly_labels",
    description="Anomaly labels: known cost changes, scored by the anomaly backtest",
    file_types=("csv",),
    detect=Detection(all_of=("label_id", "kind", "first_day")),
    columns=text_columns(
        "label_id kind provider billing_account_id sub_account_id service_name resource_id "
        "first_day last_day extra_cost_per_day description"
    ),
    required=("label_id", "kind", "first_day"),
    # Labels are not bills: the grain of replacement is the month of their first day.
    billing_account_sql="'anomaly_labels'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("first_day"))),
    cost_sql=None,
    currency_sql=None,
    numeric_columns=("extra_cost_per_day",),
    timestamp_columns=("first_day", "last_day"),
    id_columns=("label_id", "kind", "first_day"),
)
