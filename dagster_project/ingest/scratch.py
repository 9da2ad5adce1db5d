"""Read one file into a scratch Parquet file, set-based, and derive what the manifest needs.

CSV and JSON files are converted once into a scratch Parquet file (one ``COPY``, in file order);
a Parquet file is read where it is. ``file_row_number`` of that Parquet file gives each row its
1-based data row number without a window or a second copy. The relation ``file_rows`` (a temp
view) is the file as read (CSV all VARCHAR, Parquet/JSON typed) with ``_row_number``; the view
``batch`` shows it as it will be loaded: declared columns under the registry's spelling and
type, schema-drift columns as they came, and ``_row_number``. The GX suite runs on ``batch``;
the warehouse insert reads the same projection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.formats import INVENTORY_PATH, ExportFormat, quote
from dagster_project.ingest.detect import Detected
from dagster_project.ingest.errors import FileRefused

SCRATCH_VIEW = "file_rows"
BATCH_VIEW = "batch"
_NESTED = re.compile(r"(MAP|STRUCT|\[\]$|JSON|UNION)", re.IGNORECASE)
_TIMESTAMP = re.compile(r"\bTIMESTAMP\b(?! WITH)")


@dataclass(frozen=True)
class Facts:
    """What one file is about: its partition, size and money."""

    rows: int
    billing_account_id: str
    billing_period: dt.date
    cost_total: Decimal | None = None
    currency: str | None = None


def reader_sql(path: Path, detected: Detected) -> str:
    """The DuckDB table function that reads the file (no Python row handling)."""
    literal = "'" + str(path).replace("'", "''") + "'"
    kind = detected.sniffed.file_type
    if kind.startswith("csv"):
        physical = detected.columns.physical
        columns = ", ".join(f"{_literal(physical[c])}: 'VARCHAR'" for c in detected.sniffed.header)
        return (
            f"read_csv({literal}, header = true, auto_detect = false, columns = {{{columns}}}, "
            "delim = ',', quote = '\"', escape = '\"', compression = 'auto', "
            "strict_mode = true, null_padding = false, hive_partitioning = false)"
        )
    if kind == "parquet":
        return f"read_parquet({literal}, hive_partitioning = false)"
    columns = ", ".join(
        f"{_literal(c)}: {_literal(_json_read_type(detected.format, c))}"
        for c in detected.sniffed.header
    )
    layout = "newline_delimited" if kind.startswith("jsonl") else "array"
    return (
        f"read_json({literal}, format = '{layout}', columns = {{{columns}}}, "
        "hive_partitioning = false)"
    )


def _json_read_type(fmt: ExportFormat, key: str) -> str:
    """Declared type of a JSON key, timestamps (also inside structs) read with their offset, so
    ``-07:00`` is applied, not dropped; JSON for drift keys."""
    column = fmt.column(key)
    if column is None:
        return "JSON"
    return _TIMESTAMP.sub("TIMESTAMPTZ", column.type)


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def coerce(expr: str, source_type: str | None, target_type: str) -> str:
    """SQL casting a file column to its raw-table type.

    Text formats keep text: nested Parquet values become JSON text, timestamps ISO text.
    Typed formats cast to the declared type (DOUBLE money to exact DECIMAL, structs by name).
    """
    source = (source_type or "VARCHAR").upper()
    target = target_type.upper()
    if source == target:
        return expr
    if target == "VARCHAR":
        if _NESTED.search(source):
            return f"CAST(to_json({expr}) AS VARCHAR)"
        if source.startswith("TIMESTAMP WITH TIME ZONE") or source == "TIMESTAMPTZ":
            return f"CAST(CAST({expr} AS TIMESTAMP) AS VARCHAR)"
        return f"CAST({expr} AS VARCHAR)"
    return f"CAST({expr} AS {target_type})"


def projection(detected: Detected, source: str, all_declared: bool) -> list[str]:
    """Select expressions over ``source`` giving the file as it will be loaded.

    ``all_declared`` adds the declared columns the file lacks as typed NULLs, so that the
    registry's SQL (account, period, cost) can name any declared column.
    """
    fmt = detected.format
    types = detected.sniffed.source_types
    out = []
    for file_column, declared in detected.columns.declared.items():
        target = _raw_type(fmt, declared)
        expr = coerce(column_ref(detected, source, file_column), types.get(file_column), target)
        out.append(f"{expr} AS {quote(declared)}")
    for extra in detected.columns.extra:
        target = extra_type(detected, extra)
        expr = coerce(column_ref(detected, source, extra), types.get(extra), target)
        out.append(f"{expr} AS {quote(extra)}")
    if all_declared:
        present = {d.lower() for d in detected.columns.declared.values()}
        for column in fmt.columns:
            if column.name.lower() not in present:
                out.append(f"CAST(NULL AS {_raw_type(fmt, column.name)}) AS {quote(column.name)}")
    return out


def column_ref(detected: Detected, source: str, file_column: str) -> str:
    """SQL naming a file column in the scratch table or reader (its physical name)."""
    return f"{source}.{quote(detected.columns.physical[file_column])}"


def _raw_type(fmt: ExportFormat, declared: str) -> str:
    """The raw-table type of a declared column."""
    column = fmt.column(declared)
    assert column is not None
    return column.type


def extra_type(detected: Detected, column: str) -> str:
    """Type of a schema-drift column: VARCHAR for text formats, else as the file has it."""
    if detected.format.text_only:
        return "VARCHAR"
    if detected.sniffed.file_type.startswith("json"):
        return "JSON"
    return detected.sniffed.source_types.get(column, "VARCHAR")


def fold_sql(detected: Detected, source: str, json_column: str) -> str:
    """SQL folding a dynamic column family into one JSON object, empty values dropped.

    Built as text (``{"key":"value",...}``, the same bytes ``to_json`` of a key-sorted map
    gives, keys in code point order): a map and a list lambda per row cost several times more
    than this concatenation, and the text is canonical, so the FOCUS Tags need no rebuild.
    """
    members = sorted(
        (
            (file_column, key)
            for file_column, (target, key) in detected.columns.folded.items()
            if target == json_column
        ),
        key=lambda member: member[1],
    )
    if not members:
        return "CAST(NULL AS JSON)"
    types = detected.sniffed.source_types
    entries = []
    for col, key in members:
        value = coerce(column_ref(detected, source, col), types.get(col), "VARCHAR")
        pair = f"to_json({_literal(key)})::VARCHAR || ':' || to_json({value})::VARCHAR"
        entries.append(f"CASE WHEN {value} <> '' THEN {pair} END")
    folded = f"'{{' || concat_ws(',', {', '.join(entries)}) || '}}'"
    return f"CAST(nullif({folded}, '{{}}') AS JSON)"


def write_scratch(
    con: duckdb.DuckDBPyConnection, path: Path, detected: Detected, name: str, target: Path
) -> str:
    """Make the file readable with row numbers: temp views ``file_rows`` and ``batch`` on ``con``.

    CSV and JSON are converted into the Parquet file ``target`` with one ``COPY`` (DuckDB keeps
    the file's row order, ``preserve_insertion_order`` is on by default); Parquet is read in
    place. Returns the SQL of the ``batch`` view, for a GX connection to define the same view.
    """
    parquet = path if detected.sniffed.file_type == "parquet" else target
    source = _literal(str(parquet))
    try:
        if parquet == path:
            # Read every column once, as a copy would: a damaged file is refused here, not
            # half-way through the checks or the load.
            con.execute(
                f"SELECT count(COLUMNS(*)) FROM read_parquet({source}, hive_partitioning = false)"
            ).fetchall()
        else:
            con.execute(
                f"COPY (SELECT * FROM {reader_sql(path, detected)}) "
                f"TO {_literal(str(target))} (FORMAT parquet)"
            )
    except duckdb.Error as exc:
        raise _read_error(exc, name, detected) from None
    rows = (
        "SELECT file_row_number + 1 AS _row_number, * EXCLUDE (file_row_number) FROM "
        f"read_parquet({source}, file_row_number = true, hive_partitioning = false)"
    )
    select = ",\n  ".join(["src._row_number", *projection(detected, "src", all_declared=False)])
    batch = f"SELECT\n  {select}\nFROM ({rows}) AS src"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SCRATCH_VIEW} AS {rows}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {BATCH_VIEW} AS {batch}")
    return batch


def _read_error(exc: duckdb.Error, name: str, detected: Detected) -> FileRefused:
    """A DuckDB read error as a refusal: line when DuckDB gives one, and the fix."""
    text = str(exc)
    line = re.search(r"[Ll]ine:? (\d+)", text)
    first = re.sub(r"\s+", " ", text.strip().splitlines()[0])[:300]
    if "Expected Number of Columns" in text:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        detail = f" (expected {found.group(1)} fields, found {found.group(2)})" if found else ""
        problem = f"a line has a different number of fields than the header{detail}"
        fix = (
            "check the quoting of that line (a comma inside a value must be quoted) or whether "
            "the file was cut short; deliver a complete, comma-separated export"
        )
    else:
        problem = f"the {detected.sniffed.file_type} file cannot be read ({first})"
        fix = "download the file again; if it persists, re-export it from the provider"
    row = int(line.group(1)) - 1 if line and detected.sniffed.file_type.startswith("csv") else None
    return FileRefused(name, problem, fix, row=row if row and row > 0 else None)


def check_partition(
    con: duckdb.DuckDBPyConnection, detected: Detected, name: str, source: str, numbered: bool
) -> Facts:
    """The file's single billing account and period, or a refusal naming the offending row.

    ``source`` is the scratch view (``numbered``: rows have ``_row_number``) or a reader call (a
    sensor's cheap look, without row numbers).
    """
    fmt = detected.format
    _check_required(detected, name)
    account_sql, period_sql = fmt.billing_account_sql, fmt.billing_period_sql
    if fmt.partition_from_path:
        account, day = path_partition(fmt, name)
        account_sql, period_sql = _literal(account), f"DATE '{day:%Y-%m-01}'"
    numbers = ["src._row_number"] if numbered else []
    inner = ",\n  ".join(numbers + projection(detected, "src", all_declared=True))
    rows_sql = (
        f"SELECT {'_row_number, ' if numbered else ''}{account_sql} AS account, "
        f"{period_sql} AS period FROM (SELECT\n  {inner}\nFROM {source} AS src)"
    )
    try:
        stats = con.execute(
            f"SELECT count(*), count(account), count(DISTINCT account), min(account), "
            f"max(account), count(period), count(DISTINCT period), min(period), max(period) "
            f"FROM ({rows_sql})"
        ).fetchone()
    except duckdb.Error as exc:
        raise _read_error(exc, name, detected) from None
    rows, n_acc, d_acc, acc, acc_max, n_per, d_per, per, per_max = stats
    if rows == 0:
        raise FileRefused(
            name,
            "the file has a header but no data rows, so its billing period cannot be derived",
            "if the month truly had no charges, do not deliver a file for it; otherwise "
            "re-export the month from the provider",
        )
    first_bad = _first_row_where(con, rows_sql, numbered)
    if n_acc < rows:
        raise FileRefused(
            name,
            "a row has no billing account",
            "fill the billing account on every row",
            column=_account_column(fmt),
            row=first_bad("account IS NULL"),
        )
    if d_acc > 1:
        raise FileRefused(
            name,
            f"the file holds several billing accounts ({acc}, {acc_max}, ...)",
            "split it per billing account: one file holds one billing account",
            column=_account_column(fmt),
            row=first_bad(f"account <> {_literal(acc)}"),
        )
    if n_per < rows:
        raise FileRefused(
            name,
            "a row's billing period cannot be derived (empty or unparseable date)",
            "write the billing period start as ISO 8601 (2024-01-01T00:00:00Z) or MM/DD/YYYY",
            column=_period_column(fmt),
            row=first_bad("period IS NULL"),
        )
    if d_per > 1:
        raise FileRefused(
            name,
            f"the file holds several billing periods ({per:%Y-%m} to {per_max:%Y-%m})",
            "split it per billing period: one file holds one billing period",
            column=_period_column(fmt),
            row=first_bad(f"period <> (SELECT period FROM ({rows_sql}) ORDER BY 1 LIMIT 1)"),
        )
    return Facts(rows=rows, billing_account_id=str(acc), billing_period=per)


def path_partition(fmt: ExportFormat, name: str) -> tuple[str, dt.date]:
    """The billing account and snapshot day an inventory file's path names, or a refusal."""
    found = INVENTORY_PATH.search(name.replace("\\", "/"))
    day = None
    if found:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(found["date"])
    if found is None or day is None:
        raise FileRefused(
            name,
            f"the path does not name the billing account and snapshot day of this {fmt.key} "
            "inventory (the file itself names neither)",
            "put it at .../billingAccounts/<billing account id>/<name>-YYYY-MM-DD.json, dated "
            "the day the list was taken (docs/commitments.md)",
        )
    return found["account"], day


def _first_row_where(con: duckdb.DuckDBPyConnection, rows_sql: str, numbered: bool):
    """A function returning the first data row number matching a condition (None if unknown)."""

    def first(condition: str) -> int | None:
        if not numbered:
            return None
        row = con.execute(f"SELECT min(_row_number) FROM ({rows_sql}) WHERE {condition}").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    return first


def _check_required(detected: Detected, name: str) -> None:
    """Required columns (and one of each group of alternatives) are in the file."""
    present = {d.lower() for d in detected.columns.declared.values()}
    fmt = detected.format
    for column in fmt.required:
        if column.lower() not in present:
            raise FileRefused(
                name,
                f"the required column is missing from the header of this {fmt.key} file",
                f"re-export {fmt.description} with the column {column!r}",
                column=column,
            )
    for group in fmt.required_any:
        if not any(g.lower() in present for g in group):
            raise FileRefused(
                name,
                f"none of the columns {', '.join(group)} is in the header",
                f"re-export the file with one of {', '.join(group)}",
                column=group[0],
            )


def _account_column(fmt: ExportFormat) -> str | None:
    """The column the billing account comes from (for error messages)."""
    found = re.findall(r'"([^"]+)"', fmt.billing_account_sql)
    return found[0] if found else None


def _period_column(fmt: ExportFormat) -> str | None:
    """The column the billing period comes from (for error messages)."""
    found = re.findall(r'"([^"]+)"', fmt.billing_period_sql) or re.findall(
        r"\(([a-z_]+)[.,]", fmt.billing_period_sql
    )
    return found[0] if found else None


def money_facts(
    con: duckdb.DuckDBPyConnection, detected: Detected, name: str
) -> tuple[Decimal | None, str | None]:
    """Σ cost (exact decimal) and the currency of a validated scratch file."""
    fmt = detected.format
    if fmt.cost_sql is None:
        return None, None
    currency = fmt.currency_sql or "CAST(NULL AS VARCHAR)"
    inner = ",\n  ".join(projection(detected, SCRATCH_VIEW, all_declared=True))
    total, currencies = con.execute(
        f"SELECT sum({fmt.cost_sql}), string_agg(DISTINCT {currency}, ',' ORDER BY {currency}) "
        f"FROM (SELECT\n  {inner}\nFROM {SCRATCH_VIEW})"
    ).fetchone()
    if currencies and "," in currencies:
        raise FileRefused(
            name,
            f"the file mixes currencies ({currencies}); amounts of different currencies "
            "cannot be added",
            "deliver one file per billing currency (a billing account bills in one currency)",
        )
    return total, currencies
