"""The export format registry: what ingestion knows about each provider export.

Each :class:`ExportFormat` is plain data (no I/O): the raw table, how to recognise a file from its
header, the declared columns with their DuckDB types, the required columns, and the SQL
expressions (over the file's own columns) that give its billing account, billing period, cost
total and currency. Ingestion (``finops_warehouse.ingest``) and the dbt staging models read it.

Adding a format needs:

1. an ``ExportFormat`` below, added to ``DETECTION_ORDER`` (the first format
   whose ``detect`` matches wins, so put the more specific header first);
2. a Great Expectations suite ``expectations/<key>.json`` (``python -m
   finops_warehouse.ingest.suites`` writes a starting point from this registry);
3. a dbt source and staging model ``models/staging/<key>/``;
4. a test that builds a tiny file of the format and ingests it (``tests/unit/test_formats.py``).

Conventions: formats that accept CSV declare every column VARCHAR (ids keep their leading
zeros; staging casts), and Parquet files of those formats are cast to text on load so the raw
table has one schema. Parquet/JSON-only formats declare real types: money as ``MONEY`` (exact
decimal, never DOUBLE), timestamps as TIMESTAMP in UTC, maps and nested records as DuckDB
MAP/STRUCT/LIST. Column names are the provider's own, byte-exact; DuckDB matches them
case-insensitively, so a name that two variants spell differently (EA ``BillingAccountId``,
MCA ``billingAccountId``) is declared once.
"""

from __future__ import annotations

from .aws import AWS_BILL_TYPES, AWS_CUR, AWS_CUR2, AWS_LINE_ITEM_TYPES
from .azure import AZURE_ACTUAL, AZURE_AMORTIZED, AZURE_RESERVATIONS
from .base import (
    INVENTORY_PATH,
    ISO_4217,
    METADATA_COLUMNS,
    MONEY,
    NULL_MARKERS,
    Column,
    Detection,
    ExportFormat,
    athena_name,
    month_sql,
    parse_timestamp_sql,
    quote,
)
from .focus import (
    FOCUS,
    FOCUS_CHARGE_CATEGORIES,
    FOCUS_INVOICE_DETAIL,
    FOCUS_OLD_NAMES,
    FOCUS_SERVICE_CATEGORIES,
)
from .gcp import GCP_BILLING, GCP_COMMITMENTS
from .project_files import ANOMALY_LABELS, BUSINESS_METRICS, INVOICES
from .rates import ECB_CURRENCIES, ECB_RATES, EXCHANGE_RATES

__all__ = [
    "ANOMALY_LABELS",
    "AWS_BILL_TYPES",
    "AWS_CUR",
    "AWS_CUR2",
    "AWS_LINE_ITEM_TYPES",
    "AZURE_ACTUAL",
    "AZURE_AMORTIZED",
    "AZURE_RESERVATIONS",
    "BUSINESS_METRICS",
    "DETECTION_ORDER",
    "ECB_CURRENCIES",
    "ECB_RATES",
    "EXCHANGE_RATES",
    "FOCUS",
    "FOCUS_CHARGE_CATEGORIES",
    "FOCUS_INVOICE_DETAIL",
    "FOCUS_OLD_NAMES",
    "FOCUS_SERVICE_CATEGORIES",
    "FORMATS",
    "GCP_BILLING",
    "GCP_COMMITMENTS",
    "INVENTORY_PATH",
    "INVOICES",
    "ISO_4217",
    "METADATA_COLUMNS",
    "MONEY",
    "NULL_MARKERS",
    "RATE_FORMATS",
    "Column",
    "Detection",
    "ExportFormat",
    "athena_name",
    "get_format",
    "month_sql",
    "parse_timestamp_sql",
    "quote",
]

RATE_FORMATS = frozenset({ECB_RATES.key, EXCHANGE_RATES.key})
"""Rates, not bills: a rates file may reach back before the first billing month (the ECB's
history starts in 1999); those months convert no bill and build nothing."""

DETECTION_ORDER: tuple[ExportFormat, ...] = (
    FOCUS_INVOICE_DETAIL,
    FOCUS,
    AWS_CUR,
    AWS_CUR2,
    AZURE_ACTUAL,
    AZURE_AMORTIZED,
    GCP_BILLING,
    INVOICES,
    BUSINESS_METRICS,
    ANOMALY_LABELS,
    ECB_RATES,
    EXCHANGE_RATES,
    AZURE_RESERVATIONS,
    GCP_COMMITMENTS,
)
"""All formats, in detection order (FOCUS files first: they may carry x_ provider columns)."""

FORMATS: dict[str, ExportFormat] = {f.key: f for f in DETECTION_ORDER}
"""The registry: format key -> format."""


def get_format(key: str) -> ExportFormat:
    """The format registered under ``key``; KeyError names the known keys."""
    try:
        return FORMATS[key]
    except KeyError:
        raise KeyError(f"unknown format {key!r}; known: {', '.join(FORMATS)}") from None
