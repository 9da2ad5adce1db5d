"""The building blocks of the format registry: columns, detection rules, SQL helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MONEY = "DECIMAL(38,10)"
"""Money, prices and quantities in typed (Parquet/JSON) raw tables."""

METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_manifest_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_row_number", "BIGINT"),
    ("_billing_account_id", "VARCHAR"),
    ("_billing_period", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_provider", "VARCHAR"),
    ("_delivery_id", "VARCHAR"),
)
"""Columns ingestion adds to every raw table (docs/ingestion.md, "Raw tables"). The partition
columns (``_provider``, ``_billing_account_id``, ``_billing_period``) are per row: a file may
hold many partitions."""

NULL_MARKERS = ("", "NULL")
"""Text cells that mean "no value" in every CSV export: empty, and the literal ``NULL`` that
database dumps and the FOCUS sample data write. Ingestion reads them as NULL before validation."""

ISO_4217 = frozenset(
    re.findall(
        r"[A-Z]{3}",
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
    """,
    )
)
"""ISO 4217 currency codes (current, and those replaced recently enough to appear in billing
history: HRK, SLL, ZWL). A billing currency outside it refuses the file."""


def parse_timestamp_sql(column_sql: str) -> str:
    """SQL turning a text timestamp of any documented export variant into a UTC TIMESTAMP.

    Accepts ISO 8601 with or without fractions and offsets (AWS, FOCUS 1.0r2), the minute-only
    Azure FOCUS 1.0 form ``2024-01-01T00:00Z``, BigQuery's ``2024-01-01 00:00:00 UTC``, and Azure
    ``MM/DD/YYYY`` (padded or not). NULL when nothing matches; callers treat a non-empty value
    that gives NULL as unparseable.
    """
    return (
        f"coalesce(try_cast({column_sql} AS TIMESTAMPTZ)::TIMESTAMP, "
        f"try_strptime({column_sql}, ['%Y-%m-%dT%H:%MZ', '%m/%d/%Y', '%m/%d/%Y %H:%M:%S']))"
    )


def month_sql(timestamp_sql: str) -> str:
    """SQL for the first day of the month of a timestamp expression (a billing period)."""
    return f"CAST(date_trunc('month', {timestamp_sql}) AS DATE)"


def quote(name: str) -> str:
    """Quote a column name for DuckDB SQL (names like ``lineItem/UnblendedCost`` need it)."""
    return '"' + name.replace('"', '""') + '"'


def athena_name(csv_name: str) -> str:
    """The Parquet/Athena spelling of a legacy CUR CSV column (CUR guide ``cur-ate-run``).

    ``lineItem/UnblendedCost`` -> ``line_item_unblended_cost``; used to load legacy CUR
    Parquet files into the CSV-named raw table.
    """
    spaced = re.sub(r"([A-Z])", r"_\1", csv_name).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", spaced)).strip("_")


@dataclass(frozen=True)
class Column:
    """One declared column of a raw table."""

    name: str
    type: str = "VARCHAR"


@dataclass(frozen=True)
class Detection:
    """How to recognise a format from a file's header (column names).

    ``all_of`` must all be present; at least one of ``any_of`` (when given) must be present;
    none of ``none_of`` may be present. Matching is case-insensitive (Azure EA vs MCA).
    ``path_tokens``: when given, one of them must appear in the file's path (lower-cased);
    Azure actual vs amortized share a header; the path is one hint among several (the landing
    config, the export's manifest, the content) and never a reason to refuse a file.
    """

    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    path_tokens: tuple[str, ...] = ()

    def matches_header(self, header: list[str]) -> bool:
        """True when a header (list of column names) has the shape of this format."""
        names = {h.lower() for h in header}
        if not all(c.lower() in names for c in self.all_of):
            return False
        if self.any_of and not any(c.lower() in names for c in self.any_of):
            return False
        return not any(c.lower() in names for c in self.none_of)


@dataclass(frozen=True)
class ExportFormat:
    """Everything ingestion needs to know about one export format.

    SQL expressions are written over the file's columns as loaded into the scratch table
    (CSV: VARCHAR; Parquet/JSON: native types), quoted with :func:`quote`.
    """

    key: str
    description: str
    file_types: tuple[str, ...]
    detect: Detection
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    billing_account_sql: str
    billing_period_sql: str
    """SQL giving a DATE, the first day of the billing month."""
    cost_sql: str | None
    """SQL giving the row's cost as an exact decimal; summed into the manifest's cost_total."""
    currency_sql: str | None
    required_any: tuple[tuple[str, ...], ...] = ()
    """Groups of alternative names of which at least one must be present (Azure variants)."""
    numeric_columns: tuple[str, ...] = ()
    """Text columns that must hold numbers when not empty (validated; staging casts)."""
    timestamp_columns: tuple[str, ...] = ()
    """Text columns that must parse with :func:`parse_timestamp_sql` when not empty."""
    id_columns: tuple[str, ...] = ()
    """Columns that must not be NULL or empty on any row."""
    enumerations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Documented values per column; unknown values only warn (providers add values)."""
    folded_prefixes: dict[str, str] = field(default_factory=dict)
    """Dynamic column families folded into one JSON column: prefix -> JSON column name."""
    provider_sql: str = "CAST(NULL AS VARCHAR)"
    """SQL giving the provider of a row: a constant for a provider's own export, the ProviderName
    column for FOCUS files (a FOCUS hub's file holds several providers)."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Older spellings of declared columns (lower-cased alias -> declared name), used when the
    declared name itself is not in the header (FOCUS 0.5 / 1.0-preview names)."""
    dataset: str | None = None
    """For formats that share one header (Azure actual and amortized cost): which dataset this
    is, ``actual`` or ``amortized``."""
    partition_from_path: bool = False
    """The file names neither its billing account nor its billing period (a commitment
    inventory): both come from its path, ``.../billingAccounts/<account>/<name>YYYY-MM-DD.json``
    (:data:`INVENTORY_PATH`), and ``billing_account_sql`` / ``billing_period_sql`` are unused."""

    @property
    def raw_table(self) -> str:
        """The raw table's name inside schema ``raw`` (= the format key)."""
        return self.key

    @property
    def qualified_table(self) -> str:
        """The raw table with its schema, ``raw.<key>``, for SQL."""
        return f"raw.{self.key}"

    @property
    def text_only(self) -> bool:
        """True when the format accepts CSV, so all its raw columns are VARCHAR."""
        return any(t.startswith("csv") for t in self.file_types)

    def column(self, name: str) -> Column | None:
        """The declared column of that name (case-insensitive), or None (schema drift)."""
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    @property
    def currency_columns(self) -> tuple[str, ...]:
        """The columns ``currency_sql`` reads: ISO 4217 codes, cased and trimmed on read."""
        return tuple(re.findall(r'"([^"]+)"', self.currency_sql or ""))

    def enumeration(self, name: str) -> tuple[str, ...] | None:
        """The documented values of a column (case-insensitive name), or None."""
        lowered = name.lower()
        return next((v for k, v in self.enumerations.items() if k.lower() == lowered), None)


def text_columns(names: str) -> tuple[Column, ...]:
    """VARCHAR columns from a whitespace-separated list (CSV formats)."""
    return tuple(Column(n) for n in names.split())


def typed_columns(spec: str) -> tuple[Column, ...]:
    """Columns from ``name:TYPE`` lines; a bare name is VARCHAR, ``$`` is MONEY."""
    columns = []
    for line in spec.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, type_ = line.partition(":")
        type_ = type_.strip() or "VARCHAR"
        columns.append(Column(name.strip(), MONEY if type_ == "$" else type_))
    return tuple(columns)


# --- Commitment inventories (the providers' own lists, JSON arrays as their CLIs print them) ----

INVENTORY_PATH = re.compile(
    r"(?:^|/)billingAccounts/(?P<account>[^/]+)/(?:[^/]+/)*"
    r"[^/]*?(?P<date>\d{4}-\d{2}-\d{2})[^/]*$",
    re.IGNORECASE,
)
"""Where an inventory file says its billing account (the folder after ``billingAccounts/``,
the providers' own resource-name form) and its snapshot day (``YYYY-MM-DD`` in the file name;
the billing period is that day's month)."""

INVENTORY_FILE = dict(
    file_types=("json",),
    billing_account_sql="NULL",
    billing_period_sql="NULL",
    cost_sql=None,
    currency_sql=None,
    id_columns=("id",),
    partition_from_path=True,
)
