"""GCP's detailed billing export (a BigQuery dump) and its commitment list."""

from __future__ import annotations

from .base import (
    INVENTORY_FILE,
    Column,
    Detection,
    ExportFormat,
    quote,
    typed_columns,
)

GCP_NUMERIC = "DECIMAL(38,9)"
"""BigQuery NUMERIC; GCP FLOAT money is read into it so sums are exact."""

KEY_VALUE_LIST = "STRUCT(key VARCHAR, value VARCHAR)[]"

# --- GCP detailed billing export (BigQuery dump) -----------------------------------------------

_GCP_CREDIT = (
    f"STRUCT(name VARCHAR, amount {GCP_NUMERIC}, full_name VARCHAR, id VARCHAR, type VARCHAR)[]"
)
_GCP_PRICE = (
    f"STRUCT(effective_price {GCP_NUMERIC}, tier_start_amount {GCP_NUMERIC}, unit VARCHAR, "
    f"pricing_unit_quantity {GCP_NUMERIC}, list_price {GCP_NUMERIC}, "
    f"effective_price_default {GCP_NUMERIC}, list_price_consumption_model {GCP_NUMERIC})"
)

GCP_BILLING = ExportFormat(
    key="gcp_billing",
    description="GCP detailed billing export dumped from BigQuery (JSONL or Parquet)",
    file_types=("jsonl", "json", "jsonl.gz", "parquet"),
    detect=Detection(
        all_of=("billing_account_id", "cost", "invoice"), any_of=("usage_start_time",)
    ),
    columns=(
        Column("billing_account_id"),
        Column("service", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("sku", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("usage_start_time", "TIMESTAMP"),
        Column("usage_end_time", "TIMESTAMP"),
        Column(
            "project",
            "STRUCT(id VARCHAR, number VARCHAR, name VARCHAR, labels "
            f"{KEY_VALUE_LIST}, ancestry_numbers VARCHAR, ancestors "
            "STRUCT(resource_name VARCHAR, display_name VARCHAR)[])",
        ),
        Column("labels", KEY_VALUE_LIST),
        Column("system_labels", KEY_VALUE_LIST),
        Column(
            "location",
            "STRUCT(location VARCHAR, country VARCHAR, region VARCHAR, zone VARCHAR)",
        ),
        Column(
            "tags",
            "STRUCT(key VARCHAR, value VARCHAR, inherited BOOLEAN, namespace VARCHAR)[]",
        ),
        Column("export_time", "TIMESTAMP"),
        Column("cost", GCP_NUMERIC),
        Column("currency"),
        Column("currency_conversion_rate", "DOUBLE"),
        Column(
            "usage",
            f"STRUCT(amount {GCP_NUMERIC}, unit VARCHAR, amount_in_pricing_units "
            f"{GCP_NUMERIC}, pricing_unit VARCHAR)",
        ),
        Column("credits", _GCP_CREDIT),
        Column("invoice", "STRUCT(month VARCHAR, publisher_type VARCHAR)"),
        Column("cost_type"),
        Column(
            "adjustment_info",
            "STRUCT(id VARCHAR, description VARCHAR, type VARCHAR, mode VARCHAR)",
        ),
        Column("cost_at_list", GCP_NUMERIC),
        Column("transaction_type"),
        Column("seller_name"),
        Column("price", _GCP_PRICE),
        Column("cost_at_effective_price_default", GCP_NUMERIC),
        Column("cost_at_list_consumption_model", GCP_NUMERIC),
        Column("consumption_model", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("resource", "STRUCT(name VARCHAR, global_name VARCHAR)"),
        Column("subscription", "STRUCT(instance_id VARCHAR)"),
    ),
    required=("billing_account_id", "invoice", "cost", "currency", "usage_start_time"),
    billing_account_sql=quote("billing_account_id"),
    # invoice.month is the billing period (US Pacific), never the usage date.
    billing_period_sql="CAST(strptime(invoice.month, '%Y%m') AS DATE)",
    cost_sql=f"CAST({quote('cost')} AS {GCP_NUMERIC})",
    currency_sql=quote("currency"),
    provider_sql="'Google Cloud'",
    id_columns=("billing_account_id",),
    enumerations={
        "cost_type": ("regular", "tax", "adjustment", "rounding_error"),
        "transaction_type": ("GOOGLE", "THIRD_PARTY_RESELLER", "THIRD_PARTY_AGENCY"),
    },
)


GCP_COMMITMENTS = ExportFormat(
    key="gcp_commitments",
    description="GCP Compute Engine commitments (gcloud compute commitments list)",
    detect=Detection(all_of=("kind", "selfLink", "plan", "startTimestamp", "endTimestamp")),
    columns=typed_columns(
        """
        kind
        id
        creationTimestamp: TIMESTAMP
        name
        description
        region
        selfLink
        status
        statusMessage
        plan
        startTimestamp: TIMESTAMP
        endTimestamp: TIMESTAMP
        resources: STRUCT(type VARCHAR, amount BIGINT, acceleratorType VARCHAR)[]
        type
        category
        autoRenew: BOOLEAN
        """
    ),
    required=("id", "plan", "startTimestamp", "endTimestamp"),
    enumerations={
        "kind": ("compute#commitment",),
        "status": ("ACTIVE", "CANCELLED", "CREATING", "EXPIRED", "NOT_YET_ACTIVE"),
        "plan": ("TWELVE_MONTH", "THIRTY_SIX_MONTH"),
        "category": ("MACHINE", "LICENSE"),
    },
    **INVENTORY_FILE,
)
