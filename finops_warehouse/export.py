"""`finops export focus`: the FOCUS 1.2 dataset (``marts.fct_cost_and_usage``) as one Parquet file.

The file is what the FOCUS validator and any FOCUS reader expect:

- columns in the order of the FOCUS 1.2 column table (:func:`focus_columns`), then the columns
  the spec does not define, all ``x_``-prefixed: the mart's FOCUS 1.3 extras travel as
  ``x_<Name>`` (in a 1.2 dataset a column the 1.2 spec does not define is a custom column, and
  FOCUS requires the ``x_`` prefix for those; Microsoft's FOCUS 1.0 export did the same with
  ``x_InvoiceId`` before 1.2 defined ``InvoiceId``), then the mart's own ``x_`` columns;
- every String column of the spec (BillingAccountId, SubAccountId, InvoiceId, ResourceId,
  CommitmentDiscountId, SkuId, SkuPriceId, ...) as a Parquet string, so ids keep leading zeros;
- every Date/Time column as a UTC instant (Parquet TIMESTAMP, isAdjustedToUTC = true);
- money, prices and quantities kept as the mart's exact DECIMAL (the validator reads Parquet
  with Polars and casts Decimal columns to Float64 itself before its numeric checks, so DOUBLE
  would only lose digits);
- Tags and SkuPriceDetails as JSON object strings.

It is one set-based ``COPY ... TO ... (FORMAT parquet)`` in DuckDB: the rows stream from the
warehouse to the file, no Python row loop, no pandas. The file appears atomically (written beside
the target, then renamed), so a reader never sees half a file and a failed export leaves the
previous file in place.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from finops_warehouse.orchestration.project import ensure_manifest
from finops_warehouse.warehouse_connection import connect

log = logging.getLogger(__name__)

MART = "marts.fct_cost_and_usage"
MART_NODE = "model.finops.fct_cost_and_usage"


@dataclass(frozen=True)
class FocusColumns:
    """The FOCUS columns of the mart's contract (models/marts/focus/fct_cost_and_usage.yml)."""

    spec: tuple[tuple[str, str], ...]
    """The FOCUS 1.2 Cost and Usage columns in the order of the spec's column table, with their
    FOCUS data type (String, Decimal, Date/Time, JSON)."""
    extras: tuple[str, ...]
    """FOCUS 1.3 columns the mart carries as nullable extras; exported as x_<Name>."""


def focus_columns() -> FocusColumns:
    """The FOCUS columns from the mart's contract in the dbt manifest (parsed if stale): the
    contract is the one list of them, marked per column by ``meta: {focus: "1.2" | "1.3"}``."""
    columns = json.loads(ensure_manifest().read_text())["nodes"][MART_NODE]["columns"].values()
    metas = [(column["name"], column["config"]["meta"]) for column in columns]
    return FocusColumns(
        spec=tuple(
            (name, meta["focus_type"]) for name, meta in metas if meta.get("focus") == "1.2"
        ),
        extras=tuple(name for name, meta in metas if meta.get("focus") == "1.3"),
    )


_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ExportError(Exception):
    """An export that cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its rows and columns, and the billing month (None = all)."""

    path: Path
    rows: int
    columns: tuple[str, ...]
    period: str | None
    bytes: int
    seconds: float


def export_focus(warehouse: Path, out: Path, period: str | None = None) -> ExportResult:
    """Write ``marts.fct_cost_and_usage`` (all months, or billing month ``period`` YYYY-MM) to
    the Parquet file ``out`` and return what was written.

    Raises :class:`ExportError` when the warehouse or the mart does not exist yet, when the mart
    lacks a FOCUS 1.2 column, when ``period`` is not YYYY-MM, or when the month has no rows.
    """
    started = time.monotonic()
    warehouse = Path(warehouse)
    out = Path(out)
    period_start = _parse_period(period)
    if not warehouse.is_file():
        raise ExportError(
            f"warehouse {warehouse} does not exist: run `finops run` first "
            "(or pass --warehouse / set FINOPS_WAREHOUSE to the warehouse you built)"
        )
    if out.is_dir():
        raise ExportError(f"--out {out} is a directory; give the Parquet file to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error as exc:
        raise ExportError(
            f"cannot open warehouse {warehouse} read-only ({exc}); if `finops run` or another "
            "writer holds it, wait for it to finish"
        ) from exc
    try:
        con.execute("SET TimeZone = 'UTC'")
        mart_columns = _mart_columns(con, warehouse)
        select_list, names = export_select_list(mart_columns, focus_columns())
        where = ""
        if period_start is not None:
            start = f"TIMESTAMP '{period_start.isoformat()}'"
            where = (
                f'WHERE "BillingPeriodStart" >= {start} '
                f"AND \"BillingPeriodStart\" < {start} + INTERVAL '1 month'"
            )
        query = f"SELECT {', '.join(select_list)} FROM {MART} {where}"
        copy = (
            f"COPY ({query}) TO {_sql_string(str(tmp))} "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
        )
        log.info("exporting %s to %s", MART, out)
        rows = con.execute(copy).fetchone()[0]
        if period is not None and rows == 0:
            raise ExportError(
                f"no rows in {MART} for billing period {period}; periods present: "
                f"{', '.join(_periods(con)) or 'none'}"
            )
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise ExportError(f"export of {MART} from {warehouse} failed: {exc}") from exc
    finally:
        con.close()
        tmp.unlink(missing_ok=True)
    return ExportResult(
        path=out,
        rows=int(rows),
        columns=tuple(names),
        period=period,
        bytes=out.stat().st_size,
        seconds=round(time.monotonic() - started, 3),
    )


def export_select_list(
    mart_columns: dict[str, str], focus: FocusColumns
) -> tuple[list[str], list[str]]:
    """The SELECT expressions and output names of the export, in FOCUS order.

    ``mart_columns`` maps each mart column to its DuckDB type. Pure: unit-testable without a
    warehouse. Raises :class:`ExportError` when a FOCUS 1.2 column is missing.
    """
    missing = [name for name, _ in focus.spec if name not in mart_columns]
    if missing:
        raise ExportError(
            f"{MART} lacks FOCUS 1.2 columns {', '.join(missing)}: the warehouse was built by "
            "an older version; run `finops run` again"
        )
    select: list[str] = []
    names: list[str] = []

    def add(expression: str, name: str) -> None:
        select.append(f"{expression} AS {_ident(name)}")
        names.append(name)

    for name, focus_type in focus.spec:
        add(_cast(name, mart_columns[name], focus_type), name)
    taken = set(mart_columns)
    for name in focus.extras:
        if name in mart_columns and f"x_{name}" not in taken:
            add(_cast(name, mart_columns[name], _kind(mart_columns[name])), f"x_{name}")
    known = {name for name, _ in focus.spec} | set(focus.extras)
    for name, duck_type in mart_columns.items():
        if name in known:
            continue
        if not name.startswith("x_"):
            # Not a FOCUS column and not a custom x_ column: the mart's contract says it has
            # none; export it under the x_ prefix rather than drop data or break the spec.
            log.warning("%s.%s is not a FOCUS 1.2 column; exported as x_%s", MART, name, name)
            add(_cast(name, duck_type, _kind(duck_type)), f"x_{name}")
        else:
            add(_cast(name, duck_type, _kind(duck_type)), name)
    return select, names


def _cast(name: str, duck_type: str, focus_type: str) -> str:
    column = _ident(name)
    upper = duck_type.upper()
    if focus_type == "Date/Time":
        if upper.startswith("TIMESTAMP WITH TIME ZONE") or upper == "TIMESTAMPTZ":
            return column
        # The mart's TIMESTAMPs hold UTC wall time; mark them as UTC instants.
        return f"timezone('UTC', CAST({column} AS TIMESTAMP))"
    if focus_type == "JSON":
        if upper.startswith(("MAP", "STRUCT")) or upper.endswith("[]"):
            return f"CAST(to_json({column}) AS VARCHAR)"
        return f"CAST({column} AS VARCHAR)"
    if focus_type == "String":
        return f"CAST({column} AS VARCHAR)"
    return column  # Decimal and anything else: the mart's own type


def _kind(duck_type: str) -> str:
    """The export treatment of a non-FOCUS-1.2 column, from its DuckDB type."""
    upper = duck_type.upper()
    if upper.startswith(("TIMESTAMP", "DATE")) and upper != "DATE":
        return "Date/Time"
    if upper == "JSON":
        return "JSON"
    return "native"


def _mart_columns(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dict[str, str]:
    schema, table = MART.split(".")
    rows = con.execute(
        """
        SELECT column_name, data_type
        FROM information_schema.columns
        WHERE table_schema = ? AND table_name = ?
        ORDER BY ordinal_position
        """,
        [schema, table],
    ).fetchall()
    if not rows:
        raise ExportError(
            f"{MART} does not exist in {warehouse} yet: run `finops run` first "
            "(it ingests the landing directory and builds the marts)"
        )
    return dict(rows)


def _periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        f"""SELECT DISTINCT strftime("BillingPeriodStart", '%Y-%m') AS p
            FROM {MART} ORDER BY p"""
    ).fetchall()
    return [row[0] for row in rows]


def _parse_period(period: str | None) -> date | None:
    if period is None:
        return None
    match = _PERIOD.match(period)
    if not match:
        raise ExportError(f"--period {period!r} is not a billing month: write it as YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
