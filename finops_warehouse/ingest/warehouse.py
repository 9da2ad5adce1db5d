"""The warehouse side: raw tables, the manifest, and the one-transaction load of a delivery.

A delivery replaces every row of the partitions it holds (format x provider x billing account x
billing period) in the same transaction as its inserts and its manifest rows, so a failure at
any point leaves what was loaded before untouched (DuckDB rolls the whole transaction back).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_warehouse import warehouse_connection
from finops_warehouse.ingest.detect import Detected
from finops_warehouse.ingest.formats import FORMATS, METADATA_COLUMNS, ExportFormat, quote
from finops_warehouse.ingest.scratch import (
    SCRATCH_VIEW,
    Partition,
    PartitionTotal,
    extra_type,
    fold_sql,
    partition_exprs,
    projection,
)

log = logging.getLogger(__name__)

MANIFEST = "raw.ingest_manifest"
PARTITIONS = "raw.ingest_partitions"
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
    ("delivery_id", "VARCHAR"),
    ("delivery", "VARCHAR"),
    ("delivered_at", "TIMESTAMP"),
    ("partitions", "INTEGER"),
    ("notes", "VARCHAR"),
)
PARTITION_COLUMNS = (
    ("manifest_id", "VARCHAR"),
    ("path", "VARCHAR"),
    ("delivery_id", "VARCHAR"),
    ("format", "VARCHAR"),
    ("provider", "VARCHAR"),
    ("billing_account_id", "VARCHAR"),
    ("billing_period", "DATE"),
    ("currency", "VARCHAR"),
    ("rows", "BIGINT"),
    ("cost_total", "DECIMAL(38,10)"),
    ("status", "VARCHAR"),
    ("delivered_at", "TIMESTAMP"),
    ("loaded_at", "TIMESTAMP"),
)
_PARTITION_KEY = "provider VARCHAR, account VARCHAR, period DATE"
_INSERT_PARTITION = f"INSERT INTO {PARTITIONS} VALUES ({', '.join('?' for _ in PARTITION_COLUMNS)})"


@dataclass(frozen=True)
class ManifestRow:
    """One row of ``raw.ingest_manifest`` (one file)."""

    manifest_id: str
    path: str
    bytes: int
    format: str | None
    billing_account_id: str | None
    """The file's billing account when it holds one, else NULL (see raw.ingest_partitions)."""
    billing_period: dt.date | None
    rows: int | None
    cost_total: Decimal | None
    """Σ cost when the file bills in one currency, else NULL (currencies are never added)."""
    currency: str | None
    status: str
    error: str | None
    extra_columns: tuple[str, ...]
    file_modified_at: dt.datetime
    loaded_at: dt.datetime
    delivery_id: str | None = None
    delivery: str | None = None
    delivered_at: dt.datetime | None = None
    partitions: int | None = None
    notes: str | None = None

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
            self.delivery_id,
            self.delivery,
            self.delivered_at,
            self.partitions,
            self.notes,
        ]


@dataclass(frozen=True)
class LoadPart:
    """One part of a delivery, ready to load: its scratch rows, manifest row and totals."""

    detected: Detected
    scratch: Path
    """The Parquet file the part's scratch views read (the landing file itself for Parquet)."""
    name: str
    row: ManifestRow
    totals: tuple[PartitionTotal, ...]


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse connection in UTC with the raw schema, the manifest and every raw table.

    Every format's table exists even before its first file arrives, so dbt staging builds
    (empty) on a landing directory that holds only some formats.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = warehouse_connection.connect(warehouse)
    con.execute("SET TimeZone = 'UTC'")
    # Track progress (a big file's read is polled and reported) without printing a bar.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    # A bulk append buffers this many row groups per thread before writing them out; with the
    # default (5) a 1M-row, 116-column CUR load peaks about 1 GiB higher.
    con.execute("SET write_buffer_row_group_count = 1")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table, columns in ((MANIFEST, MANIFEST_COLUMNS), (PARTITIONS, PARTITION_COLUMNS)):
        body = ", ".join(f"{name} {type_}" for name, type_ in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
        for name, type_ in columns:  # a warehouse from an earlier version gains new columns
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {type_}")
    for fmt in FORMATS.values():
        ensure_raw_table(con, fmt)
    _backfill_partitions(con)
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
            if name == "_provider":  # rows loaded by an earlier version: their own provider
                con.execute(f"UPDATE {fmt.qualified_table} SET _provider = {fmt.provider_sql}")
    return existing


def _backfill_partitions(con: duckdb.DuckDBPyConnection) -> None:
    """Partition rows for files an earlier version loaded (one partition per file then)."""
    if con.execute(f"SELECT count(*) FROM {PARTITIONS}").fetchone()[0]:
        return
    con.execute(
        f"UPDATE {MANIFEST} SET delivered_at = file_modified_at, delivery = path, "
        "delivery_id = manifest_id, partitions = 1 WHERE delivered_at IS NULL"
    )
    for fmt in FORMATS.values():
        con.execute(
            f"""
            INSERT INTO {PARTITIONS}
            SELECT m.manifest_id, m.path, m.delivery_id, m.format, r._provider,
                   m.billing_account_id, m.billing_period, m.currency, m.rows,
                   m.cost_total, m.status, m.file_modified_at, m.loaded_at
            FROM {MANIFEST} AS m
            JOIN (SELECT DISTINCT _manifest_id, _provider FROM {fmt.qualified_table}) AS r
              ON r._manifest_id = m.manifest_id
            WHERE m.format = ? AND m.status IN ('loaded', 'replaced')
            """,
            [fmt.key],
        )


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Lower-cased column names of ``raw.<table>`` (empty when it does not exist)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = ?",
        [table],
    ).fetchall()
    return {r[0].lower() for r in rows}


# The files the warehouse has seen: a file is seen when its path and its bytes' sha256 (the
# manifest_id) are in the manifest. The ingest skips such a file; `finops run` starts no dbt
# server for a landing of them only.
SEEN_FILES = f"SELECT path, manifest_id FROM {MANIFEST}"


def seen(con: duckdb.DuckDBPyConnection, path: str, sha256: str) -> bool:
    """True when this exact file (path and bytes) is already in the manifest."""
    row = con.execute(
        f"{SEEN_FILES} WHERE path = ? AND manifest_id = ? LIMIT 1", [path, sha256]
    ).fetchone()
    return row is not None


def same_delivery_as(con: duckdb.DuckDBPyConnection, delivery_id: str) -> str | None:
    """A path of an accepted delivery with the same parts' bytes, if any."""
    row = con.execute(
        f"SELECT path FROM {MANIFEST} WHERE delivery_id = ? "
        "AND status NOT IN ('quarantined', 'held') ORDER BY loaded_at, path LIMIT 1",
        [delivery_id],
    ).fetchone()
    return None if row is None else row[0]


def newer_deliveries(
    con: duckdb.DuckDBPyConnection,
    fmt: str,
    partitions: set[Partition],
    delivered_at: dt.datetime,
    delivery: str,
) -> dict[Partition, str]:
    """The partitions (of ``partitions``) whose live delivery is newer than this one, each with
    a path of that delivery. Newer = later delivery time, then the later delivery name."""
    if not partitions:
        return {}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _asked ({_PARTITION_KEY})")
    con.executemany(
        "INSERT INTO _asked VALUES (?, ?, ?)",
        [[p.provider, p.billing_account_id, p.billing_period] for p in partitions],
    )
    rows = con.execute(
        f"""
        SELECT a.provider, a.account, a.period, min(m.path)
        FROM _asked AS a
        JOIN {PARTITIONS} AS m
          ON m.format = ? AND m.status = 'loaded'
         AND coalesce(m.provider, '') = coalesce(a.provider, '')
         AND m.billing_account_id = a.account AND m.billing_period = a.period
        JOIN {MANIFEST} AS f ON f.manifest_id = m.manifest_id AND f.path = m.path
        WHERE (m.delivered_at, f.delivery) > (?, ?)
        GROUP BY ALL
        """,
        [fmt, delivered_at, delivery],
    ).fetchall()
    return {Partition(p, a, d): path for p, a, d, path in rows}


def record(con: duckdb.DuckDBPyConnection, row: ManifestRow) -> None:
    """Append a manifest row (its own statement; used for no-op and refused files)."""
    marks = ", ".join("?" for _ in MANIFEST_COLUMNS)
    con.execute(f"INSERT INTO {MANIFEST} VALUES ({marks})", row.values())


def record_held_back(
    con: duckdb.DuckDBPyConnection,
    row: ManifestRow,
    partitions: list[tuple[str | None, str | None, dt.date]],
) -> None:
    """Record a file that loads nothing (refused, held, duplicate, superseded) and, for a refused
    or held one, the partitions it would have fed (provider and account NULL where unknown), so
    those billing months show incomplete until a later load covers them; one transaction."""
    first = (row.manifest_id, row.path, row.delivery_id, row.format)
    last = (row.status, row.delivered_at, row.loaded_at)
    con.begin()
    try:
        record(con, row)
        if partitions:
            con.executemany(
                _INSERT_PARTITION,
                [
                    (*first, provider, account, period, None, None, None, *last)
                    for provider, account, period in partitions
                ],
            )
        con.commit()
    except BaseException:
        _rollback(con)
        raise


def _record_partitions(
    con: duckdb.DuckDBPyConnection, part: LoadPart, live: set[Partition]
) -> None:
    """One raw.ingest_partitions row per partition and currency of a loaded part."""
    row = part.row
    con.executemany(
        _INSERT_PARTITION,
        [
            [
                row.manifest_id,
                row.path,
                row.delivery_id,
                row.format,
                t.partition.provider,
                t.partition.billing_account_id,
                t.partition.billing_period,
                t.currency,
                t.rows,
                t.cost_total,
                "loaded" if t.partition in live else "superseded",
                row.delivered_at,
                row.loaded_at,
            ]
            for t in part.totals
        ],
    )


def insert_sql(part: LoadPart, source: str, live: set[Partition]) -> str:
    """INSERT ... BY NAME of the part's scratch rows of the live partitions (temp table
    ``_live``) into the raw table, with metadata, folds and each row's own partition.

    A part holding one partition, live (the usual export), takes it as constants: no per-row
    timestamp parse, no filter.
    """
    detected, row = part.detected, part.row
    fmt = detected.format
    select = projection(detected, "src", all_declared=True)
    for json_column in sorted(set(fmt.folded_prefixes.values())):
        select = [s for s in select if not s.endswith(f" AS {quote(json_column)}")]
        select.append(f"{fold_sql(detected, 'src', json_column)} AS {quote(json_column)}")
    select.append("CAST(src._row_number AS BIGINT) AS _row_number")
    provider, account, period = partition_exprs(fmt, part.name)
    held = {t.partition for t in part.totals}
    only = next(iter(held)) if len(held) == 1 and held <= live else None
    if only is not None:
        provider = _literal(only.provider) if only.provider is not None else "NULL"
        account, period = _literal(only.billing_account_id), f"DATE '{only.billing_period}'"
    meta = [
        f"CAST('{row.manifest_id}' AS VARCHAR) AS _manifest_id",
        f"CAST({_literal(row.path)} AS VARCHAR) AS _source_file",
        f"CAST({provider} AS VARCHAR) AS _provider",
        f"CAST({account} AS VARCHAR) AS _billing_account_id",
        f"CAST({period} AS DATE) AS _billing_period",
        f"CAST({_literal(row.delivery_id or '')} AS VARCHAR) AS _delivery_id",
        f"CAST('{row.loaded_at.isoformat(sep=' ')}' AS TIMESTAMP) AS _loaded_at",
    ]
    inner = ",\n    ".join(select)
    sql = (
        f"INSERT INTO {fmt.qualified_table} BY NAME\n"
        f"SELECT * FROM (SELECT *, {', '.join(meta)}\n"
        f"  FROM (SELECT\n    {inner}\n  FROM {source} AS src)) AS r"
    )
    if only is not None:
        return sql
    return (
        f"{sql}\nWHERE (coalesce(r._provider, ''), r._billing_account_id, r._billing_period) IN "
        "(SELECT (coalesce(provider, ''), account, period) FROM _live)"
    )


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    parts: list[LoadPart],
    live: set[Partition],
    show: Callable[[LoadPart], None],
) -> None:
    """In ONE transaction: add drift columns, delete the live partitions' older rows, insert
    every part's rows of those partitions, mark what it replaced, record every part.

    ``show(part)`` points the scratch views at a part's scratch file. Any failure rolls
    everything back, so the rows of the previous deliveries stay as they were.
    """
    formats = {p.detected.format.key: p.detected.format for p in parts}
    existing = {key: ensure_raw_table(con, fmt) for key, fmt in formats.items()}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _live ({_PARTITION_KEY})")
    con.executemany(
        "INSERT INTO _live VALUES (?, ?, ?)",
        [[p.provider, p.billing_account_id, p.billing_period] for p in sorted(live)],
    )
    con.execute("BEGIN TRANSACTION")
    try:
        for part in parts:
            fmt = part.detected.format
            for extra in part.detected.columns.extra:
                if extra.lower() not in existing[fmt.key]:
                    con.execute(
                        f"ALTER TABLE {fmt.qualified_table} ADD COLUMN {quote(extra)} "
                        f"{extra_type(part.detected, extra)}"
                    )
                    existing[fmt.key].add(extra.lower())
        live_filter = (
            "(coalesce({p}, ''), {a}, {d}) IN "
            "(SELECT (coalesce(provider, ''), account, period) FROM _live)"
        )
        for fmt in formats.values():
            con.execute(
                f"DELETE FROM {fmt.qualified_table} WHERE "
                + live_filter.format(p="_provider", a="_billing_account_id", d="_billing_period")
            )
            con.execute(
                f"UPDATE {PARTITIONS} SET status = 'replaced' WHERE format = ? "
                "AND status = 'loaded' AND "
                + live_filter.format(p="provider", a="billing_account_id", d="billing_period"),
                [fmt.key],
            )
        # Rows carry _row_number, so their physical order is free: unordered, DuckDB appends in
        # parallel into full row groups; an ordered parallel append leaves partial row groups
        # that the next checkpoint rewrites, which costs as much as the insert itself.
        con.execute("SET preserve_insertion_order = false")
        try:
            for part in parts:
                show(part)
                con.execute(insert_sql(part, SCRATCH_VIEW, live))
        finally:
            con.execute("RESET preserve_insertion_order")
        for part in parts:
            record(con, part.row)
            _record_partitions(con, part, live)
        # A file none of whose partitions is live any more was replaced whole.
        con.execute(
            f"""
            UPDATE {MANIFEST} AS f SET status = 'replaced'
            WHERE f.status = 'loaded' AND NOT EXISTS (
                SELECT 1 FROM {PARTITIONS} AS p
                WHERE p.manifest_id = f.manifest_id AND p.path = f.path AND p.status = 'loaded'
            )
            """
        )
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction, unless DuckDB already ended it (a failed write or commit, a
    full disk): the caller re-raises the error that ended it, not this one's."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")
