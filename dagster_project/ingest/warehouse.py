"""The warehouse side: raw tables, the manifest, and the one-transaction replacement.

A delivery replaces every row of the same (format, billing account, billing period) in the same
transaction as its insert and its manifest row, so a failure at any point leaves what was loaded
before untouched (DuckDB rolls the whole transaction back).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.formats import FORMATS, METADATA_COLUMNS, ExportFormat, quote
from dagster_project.ingest.detect import Detected
from dagster_project.ingest.scratch import SCRATCH_VIEW, extra_type, fold_sql, projection

log = logging.getLogger(__name__)

MANIFEST = "raw.ingest_manifest"
MANIFEST_COLUMNS = (
    ("manifest_id", "VARCHAR"),
    ("path", "VARCHAR"),
    ("bytes", "BIGINT"),
    ("format", "VARCHAR"),
    ("billing_account_id", "VARCHAR"),
    ("billing_period", "DATE"),
    ("rows", "BIGINT"),
    ("cost_total", "DECIMAL(38,10)"),
    ("currency", "VARCHAR"),
    ("status", "VARCHAR"),
    ("error", "VARCHAR"),
    ("extra_columns", "VARCHAR"),
    ("file_modified_at", "TIMESTAMP"),
    ("loaded_at", "TIMESTAMP"),
)
STATUSES = ("loaded", "replaced", "superseded", "duplicate", "quarantined")


@dataclass(frozen=True)
class ManifestRow:
    """One row of ``raw.ingest_manifest``."""

    manifest_id: str
    path: str
    bytes: int
    format: str | None
    billing_account_id: str | None
    billing_period: dt.date | None
    rows: int | None
    cost_total: Decimal | None
    currency: str | None
    status: str
    error: str | None
    extra_columns: tuple[str, ...]
    file_modified_at: dt.datetime
    loaded_at: dt.datetime

    def values(self) -> list:
        """Values in manifest column order (extra columns as a JSON array text)."""
        extra = json.dumps(list(self.extra_columns)) if self.extra_columns else None
        return [
            self.manifest_id,
            self.path,
            self.bytes,
            self.format,
            self.billing_account_id,
            self.billing_period,
            self.rows,
            self.cost_total,
            self.currency,
            self.status,
            self.error,
            extra,
            self.file_modified_at,
            self.loaded_at,
        ]


def duckdb_memory_limit() -> str:
    """DuckDB's memory bound, FINOPS_DUCKDB_MEMORY_LIMIT (default 3GB), as the profile reads it."""
    limit = os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT", "3GB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        raise ValueError(
            f"FINOPS_DUCKDB_MEMORY_LIMIT={limit!r} is not a memory size; use e.g. 3GB or 512MiB"
        )
    return limit


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse connection in UTC with the raw schema, the manifest and every raw table.

    Every format's table exists even before its first file arrives, so dbt staging builds
    (empty) on a landing directory that holds only some formats.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("SET TimeZone = 'UTC'")
    # The same memory bound as dbt's profile (dbt/profiles.yml): DuckDB spills past it.
    con.execute(f"SET memory_limit = '{duckdb_memory_limit()}'")
    # Track progress (a big file's read is polled and reported) without printing a bar.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    # A bulk append buffers this many row groups per thread before writing them out; with the
    # default (5) a 1M-row, 116-column CUR load peaks about 1 GiB higher.
    con.execute("SET write_buffer_row_group_count = 1")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    columns = ", ".join(f"{name} {type_}" for name, type_ in MANIFEST_COLUMNS)
    con.execute(f"CREATE TABLE IF NOT EXISTS {MANIFEST} ({columns})")
    for fmt in FORMATS.values():
        ensure_raw_table(con, fmt)
    return con


def ensure_raw_table(con: duckdb.DuckDBPyConnection, fmt: ExportFormat) -> set[str]:
    """Create ``raw.<format>`` with every declared and metadata column; add any new ones.

    Returns the lower-cased column names the table has.
    """
    wanted = [(c.name, c.type) for c in fmt.columns] + list(METADATA_COLUMNS)
    existing = _table_columns(con, fmt.key)
    if not existing:
        body = ", ".join(f"{quote(n)} {t}" for n, t in wanted)
        con.execute(f"CREATE TABLE {fmt.qualified_table} ({body})")
        return {n.lower() for n, _ in wanted}
    for name, type_ in wanted:
        if name.lower() not in existing:
            con.execute(f"ALTER TABLE {fmt.qualified_table} ADD COLUMN {quote(name)} {type_}")
            existing.add(name.lower())
    return existing


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Lower-cased column names of ``raw.<table>`` (empty when it does not exist)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = ?",
        [table],
    ).fetchall()
    return {r[0].lower() for r in rows}


def seen(con: duckdb.DuckDBPyConnection, path: str, sha256: str) -> bool:
    """True when this exact file (path and bytes) is already in the manifest."""
    row = con.execute(
        f"SELECT 1 FROM {MANIFEST} WHERE path = ? AND manifest_id = ? LIMIT 1", [path, sha256]
    ).fetchone()
    return row is not None


def same_bytes_as(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """Path of an accepted file with the same sha256, if any (quarantined ones do not count)."""
    row = con.execute(
        f"SELECT path FROM {MANIFEST} WHERE manifest_id = ? AND status <> 'quarantined' "
        "ORDER BY loaded_at LIMIT 1",
        [sha256],
    ).fetchone()
    return None if row is None else row[0]


def current_delivery(
    con: duckdb.DuckDBPyConnection, fmt: str, account: str, period: dt.date
) -> tuple[str, dt.datetime] | None:
    """Path and modification time of the delivery now loaded for a partition."""
    return con.execute(
        f"SELECT path, file_modified_at FROM {MANIFEST} WHERE format = ? "
        "AND billing_account_id = ? AND billing_period = ? AND status = 'loaded' "
        "ORDER BY file_modified_at DESC, path DESC LIMIT 1",
        [fmt, account, period],
    ).fetchone()


def record(con: duckdb.DuckDBPyConnection, row: ManifestRow) -> None:
    """Append a manifest row (its own statement; used for no-op and refused files)."""
    marks = ", ".join("?" for _ in MANIFEST_COLUMNS)
    con.execute(f"INSERT INTO {MANIFEST} VALUES ({marks})", row.values())


def insert_sql(detected: Detected, source: str, row: ManifestRow) -> str:
    """INSERT ... BY NAME of the scratch rows into the raw table, with metadata and folds."""
    fmt = detected.format
    select = projection(detected, source, all_declared=True)
    for json_column in sorted(set(fmt.folded_prefixes.values())):
        select = [s for s in select if not s.endswith(f" AS {quote(json_column)}")]
        select.append(f"{fold_sql(detected, source, json_column)} AS {quote(json_column)}")
    period = row.billing_period.isoformat() if row.billing_period else None
    select += [
        f"CAST('{row.manifest_id}' AS VARCHAR) AS _manifest_id",
        f"CAST({_literal(row.path)} AS VARCHAR) AS _source_file",
        f"CAST({source}._row_number AS BIGINT) AS _row_number",
        f"CAST({_literal(row.billing_account_id or '')} AS VARCHAR) AS _billing_account_id",
        f"CAST('{period}' AS DATE) AS _billing_period",
        f"CAST('{row.loaded_at.isoformat(sep=' ')}' AS TIMESTAMP) AS _loaded_at",
    ]
    body = ",\n  ".join(select)
    return f"INSERT INTO {fmt.qualified_table} BY NAME\nSELECT\n  {body}\nFROM {source}"


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def replace_partition(con: duckdb.DuckDBPyConnection, detected: Detected, row: ManifestRow) -> None:
    """In ONE transaction: add drift columns, delete the older delivery, insert, record.

    The rows come from the scratch view ``file_rows`` of the same connection (a temp view over
    the scratch Parquet file, nothing in the warehouse). Any failure rolls everything back, so
    the rows of the previous delivery stay as they were.
    """
    fmt = detected.format
    existing = ensure_raw_table(con, fmt)
    con.execute("BEGIN TRANSACTION")
    try:
        for extra in detected.columns.extra:
            if extra.lower() not in existing:
                con.execute(
                    f"ALTER TABLE {fmt.qualified_table} ADD COLUMN {quote(extra)} "
                    f"{extra_type(detected, extra)}"
                )
        params = [row.billing_account_id, row.billing_period]
        con.execute(
            f"DELETE FROM {fmt.qualified_table} "
            "WHERE _billing_account_id = ? AND _billing_period = ?",
            params,
        )
        # Rows carry _row_number, so their physical order is free: unordered, DuckDB appends in
        # parallel into full row groups; an ordered parallel append leaves partial row groups
        # that the next checkpoint rewrites, which costs as much as the insert itself.
        con.execute("SET preserve_insertion_order = false")
        try:
            con.execute(insert_sql(detected, SCRATCH_VIEW, row))
        finally:
            con.execute("RESET preserve_insertion_order")
        con.execute(
            f"UPDATE {MANIFEST} SET status = 'replaced' WHERE format = ? "
            "AND billing_account_id = ? AND billing_period = ? AND status = 'loaded'",
            [fmt.key, *params],
        )
        record(con, row)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
