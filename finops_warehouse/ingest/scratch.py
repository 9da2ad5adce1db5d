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
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_warehouse.ingest.detect import Detected
from finops_warehouse.ingest.errors import FileRefused, raise_if_environmental
from finops_warehouse.ingest.formats import (
    INVENTORY_PATH,
    ISO_4217,
    NULL_MARKERS,
    ExportFormat,
    quote,
)

SCRATCH_VIEW = "file_rows"
BATCH_VIEW = "batch"
_NESTED = re.compile(r"(MAP|STRUCT|\[\]$|JSON|UNION)", re.IGNORECASE)
_TIMESTAMP = re.compile(r"\bTIMESTAMP\b(?! WITH)")


@dataclass(frozen=True, order=True)
class Partition:
    """What a newer delivery replaces: one provider's billing account and billing month."""

    provider: str | None
    billing_account_id: str
    billing_period: dt.date

    @property
    def label(self) -> str:
        """``YYYY-MM``, the billing month as Dagster partitions name it."""
        return f"{self.billing_period:%Y-%m}"


@dataclass(frozen=True)
class PartitionTotal:
    """One partition and currency of a file: its rows and the exact sum of its cost column."""

    partition: Partition
    currency: str | None
    rows: int
    cost_total: Decimal | None


@dataclass(frozen=True)
class Facts:
    """What one file is about: its rows and the partitions they fall in."""

    rows: int
    partitions: tuple[Partition, ...]

    @property
    def periods(self) -> set[str]:
        """The billing months (``YYYY-MM``) the file holds."""
        return {p.label for p in self.partitions}


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
    reader = (
        f"read_json({literal}, format = '{layout}', columns = {{{columns}}}, "
        "hive_partitioning = false)"
    )
    lists = [
        f"{_json_list(quote(c), column.type)} AS {quote(c)}"
        for c in detected.sniffed.header
        if (column := detected.format.column(c)) is not None and column.type.endswith("[]")
    ]
    if not lists:
        return reader
    return f"(SELECT * REPLACE ({', '.join(lists)}) FROM {reader})"


def _json_read_type(fmt: ExportFormat, key: str) -> str:
    """Declared type of a JSON key, timestamps (also inside structs) read with their offset, so
    ``-07:00`` is applied, not dropped; JSON for drift keys."""
    column = fmt.column(key)
    if column is None or column.type.endswith("[]"):
        return "JSON"  # lists: see _json_list (a lone object where a list belongs)
    return _TIMESTAMP.sub("TIMESTAMPTZ", column.type)


def _json_list(expr: str, target: str) -> str:
    """A JSON list column as its declared list type; a lone object becomes a one-element list.

    BigQuery's schema makes repeated records (GCP ``credits``, ``labels``) arrays, ``[]`` when
    empty; some writers put a single object there instead. It means the same one record.
    """
    value = f"CAST({expr} AS JSON)"
    wrapped = f"CASE WHEN json_type({value}) = 'OBJECT' THEN json_array({value}) ELSE {value} END"
    # from_json, unlike CAST, leaves a key the record lacks NULL (as read_json does).
    return f"from_json({wrapped}, {_literal(json.dumps(json_structure(target)))})"


def json_structure(duckdb_type: str) -> object:
    """DuckDB's ``from_json`` structure of a declared type: ``STRUCT(a INT)[]`` ->
    ``[{"a": "INT"}]``."""
    text = duckdb_type.strip()
    if text.endswith("[]"):
        return [json_structure(text[:-2])]
    if text.upper().startswith("STRUCT(") and text.endswith(")"):
        fields, depth, start = [], 0, 0
        body = text[len("STRUCT(") : -1]
        for i, char in enumerate(body + ","):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                fields.append(body[start:i].strip())
                start = i + 1
        return {
            name.strip('"'): json_structure(type_)
            for name, type_ in (f.split(None, 1) for f in fields if f)
        }
    return text


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
        ref = column_ref(detected, source, file_column)
        expr = coerce(ref, types.get(file_column), target)
        out.append(f"{clean(fmt, declared, expr)} AS {quote(declared)}")
    for extra in detected.columns.extra:
        target = extra_type(detected, extra)
        expr = coerce(column_ref(detected, source, extra), types.get(extra), target)
        out.append(f"{clean(fmt, extra, expr)} AS {quote(extra)}")
    if all_declared:
        present = {d.lower() for d in detected.columns.declared.values()}
        for column in fmt.columns:
            if column.name.lower() not in present:
                out.append(f"CAST(NULL AS {_raw_type(fmt, column.name)}) AS {quote(column.name)}")
    return out


def clean(fmt: ExportFormat, column: str, expr: str) -> str:
    """SQL cleaning a text cell the way every reader of the format must, before it is judged.

    Text formats only (typed Parquet/JSON values are what they are): a null marker (empty, the
    literal ``NULL``) becomes NULL; numbers and timestamps lose surrounding spaces; a currency
    code is upper-cased and trimmed (``usd `` -> ``USD``); an enumeration value in another case
    takes its documented spelling (``usage`` -> ``Usage``).
    Anything else stays as delivered, so a value no clean-up can fix is still refused.
    """
    if not fmt.text_only:
        return expr
    markers = ", ".join(_literal(m) for m in NULL_MARKERS)
    if column in fmt.currency_columns:
        value = f"upper(trim({expr}))"
    elif column in fmt.numeric_columns or column in fmt.timestamp_columns:
        value = f"trim({expr})"
    else:
        value = expr
    cleaned = f"CASE WHEN {value} IN ({markers}) THEN NULL ELSE {value} END"
    values = fmt.enumeration(column)
    if values:
        spelled = " ".join(
            f"WHEN {_literal(v.lower())} THEN {_literal(v)}" for v in dict.fromkeys(values) if v
        )
        cleaned = f"CASE lower(trim({expr})) {spelled} ELSE {cleaned} END"
    return cleaned


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
) -> Path:
    """Make the file readable with row numbers; returns the Parquet file its rows are read from.

    CSV and JSON are converted into the Parquet file ``target`` with one ``COPY`` (DuckDB keeps
    the file's row order, ``preserve_insertion_order`` is on by default); Parquet is read in
    place. :func:`show_scratch` then points the temp views at it.
    """
    parquet = path if detected.sniffed.file_type == "parquet" else target
    try:
        if parquet == path:
            # Read every column once, as a copy would: a damaged file is refused here, not
            # half-way through the checks or the load.
            con.execute(
                f"SELECT count(COLUMNS(*)) FROM read_parquet({_literal(str(path))}, "
                "hive_partitioning = false)"
            ).fetchall()
        else:
            con.execute(
                f"COPY (SELECT * FROM {reader_sql(path, detected)}) "
                f"TO {_literal(str(target))} (FORMAT parquet)"
            )
    except duckdb.Error as exc:
        raise _read_error(exc, name, detected) from None
    return parquet


def show_scratch(con: duckdb.DuckDBPyConnection, detected: Detected, parquet: Path) -> str:
    """Point the temp views ``file_rows`` and ``batch`` of ``con`` at one scratch file.

    Returns the SQL of the ``batch`` view, for a GX connection to define the same view.
    """
    rows = (
        "SELECT file_row_number + 1 AS _row_number, * EXCLUDE (file_row_number) FROM "
        f"read_parquet({_literal(str(parquet))}, file_row_number = true, "
        "hive_partitioning = false)"
    )
    select = ",\n  ".join(["src._row_number", *projection(detected, "src", all_declared=False)])
    batch = f"SELECT\n  {select}\nFROM ({rows}) AS src"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SCRATCH_VIEW} AS {rows}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {BATCH_VIEW} AS {batch}")
    return batch


def _read_error(exc: duckdb.Error, name: str, detected: Detected) -> FileRefused:
    """A DuckDB read error as a refusal: line when DuckDB gives one, and the fix (a Ctrl-C or a
    full disk is raised as what it is: the file is not at fault)."""
    raise_if_environmental(exc)
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
    elif "not utf-8 encoded" in text:
        problem = "a line is not UTF-8 text (spreadsheet tools on Windows save Windows-1252)"
        fix = "save the file as 'CSV UTF-8' (or export it again from the provider)"
    else:
        problem = f"the {detected.sniffed.file_type} file cannot be read ({first})"
        fix = "download the file again; if it persists, re-export it from the provider"
    row = int(line.group(1)) - 1 if line and detected.sniffed.file_type.startswith("csv") else None
    return FileRefused(name, problem, fix, row=row if row and row > 0 else None)


def check_repeated_header(con: duckdb.DuckDBPyConnection, detected: Detected, name: str) -> None:
    """Refuse a CSV whose header comes back as a data row (files concatenated with their
    headers): where one file ends and whether the columns still match is a guess."""
    if not detected.sniffed.file_type.startswith("csv"):
        return
    header = detected.sniffed.header
    physical = detected.columns.physical
    same = " AND ".join(
        f"{quote(physical[c])} = {_literal(c)}" for c in header[: min(len(header), 3)]
    )
    found = con.execute(f"SELECT min(_row_number) FROM {SCRATCH_VIEW} WHERE {same}").fetchone()
    if found is not None and found[0] is not None:
        raise FileRefused(
            name,
            "a data row repeats the header (files concatenated with their headers)",
            "deliver each export as its own file, or remove the repeated header lines",
            row=int(found[0]),
        )


def check_partition(
    con: duckdb.DuckDBPyConnection, detected: Detected, name: str, source: str, numbered: bool
) -> Facts:
    """Every partition the file holds, or a refusal naming a row that has none.

    A file may hold any number of partitions (FOCUS files from hubs hold many providers,
    accounts and months); only a row without a billing account or billing period is wrong.
    ``source`` is the scratch view (``numbered``: rows have ``_row_number``) or a reader call (a
    sensor's cheap look, without row numbers).
    """
    _check_required(detected, name)
    rows_sql = partition_rows_sql(detected, name, source, numbered)
    try:
        found = con.execute(
            f"SELECT provider, account, period, count(*) FROM ({rows_sql}) "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    except duckdb.Error as exc:
        raise _read_error(exc, name, detected) from None
    if not found:
        raise FileRefused(
            name,
            "the file has a header but no data rows, so its billing period cannot be derived",
            "if the month truly had no charges, do not deliver a file for it; otherwise "
            "re-export the month from the provider",
        )
    first_bad = _first_row_where(con, rows_sql, numbered)
    fmt = detected.format
    if any(account is None for _, account, _, _ in found):
        raise FileRefused(
            name,
            "a row has no billing account",
            "fill the billing account on every row",
            column=_account_column(fmt),
            row=first_bad("account IS NULL"),
        )
    if any(period is None for _, _, period, _ in found):
        raise FileRefused(
            name,
            "a row's billing period cannot be derived (empty or unparseable date)",
            "write the billing period start as ISO 8601 (2024-01-01T00:00:00Z) or MM/DD/YYYY",
            column=_period_column(fmt),
            row=first_bad("period IS NULL"),
        )
    partitions = tuple(Partition(p, str(a), d) for p, a, d, _ in found)
    return Facts(rows=sum(n for *_, n in found), partitions=partitions)


def check_currency(con: duckdb.DuckDBPyConnection, detected: Detected, name: str) -> None:
    """Refuse a billing currency that is not an ISO 4217 code (``US$``, ``XYZ``), naming the
    first such row: an amount in an unknown currency cannot be totalled or converted."""
    codes = ", ".join(_literal(c) for c in sorted(ISO_4217))
    present = set(detected.columns.declared.values())
    for column in detected.format.currency_columns:
        if column not in present:
            continue
        found = con.execute(
            f"SELECT _row_number, {quote(column)} FROM {BATCH_VIEW} WHERE {quote(column)} "
            f"NOT IN ({codes}) ORDER BY _row_number LIMIT 1"
        ).fetchone()
        if found is not None:
            raise FileRefused(
                name,
                "the currency is not an ISO 4217 code",
                "write the three-letter ISO 4217 code of the billing currency (USD, EUR, JPY)",
                column=column,
                row=int(found[0]),
                value=str(found[1]),
            )


def partition_rows_sql(
    detected: Detected, name: str, source: str, numbered: bool, money: bool = False
) -> str:
    """SQL giving each row's provider, billing account and billing period (and row number;
    with ``money``, its currency and cost)."""
    fmt = detected.format
    provider_sql, account_sql, period_sql = partition_exprs(fmt, name)
    selected = [f"{provider_sql} AS provider", f"{account_sql} AS account"]
    selected.append(f"{period_sql} AS period")
    if numbered:
        selected.insert(0, "_row_number")
    if money:
        selected.append(f"{fmt.currency_sql or 'CAST(NULL AS VARCHAR)'} AS currency")
        selected.append(f"{fmt.cost_sql or 'CAST(NULL AS DECIMAL(38,10))'} AS cost")
    numbers = ["src._row_number"] if numbered else []
    inner = ",\n  ".join(numbers + projection(detected, "src", all_declared=True))
    return f"SELECT {', '.join(selected)} FROM (SELECT\n  {inner}\nFROM {source} AS src)"


def partition_exprs(fmt: ExportFormat, name: str) -> tuple[str, str, str]:
    """SQL (over the loaded column names) for a row's provider, billing account and period."""
    if fmt.partition_from_path:
        account, day = path_partition(fmt, name)
        return fmt.provider_sql, _literal(account), f"DATE '{day:%Y-%m-01}'"
    return fmt.provider_sql, fmt.billing_account_sql, fmt.billing_period_sql


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
) -> list[PartitionTotal]:
    """Rows and Σ cost (exact decimal) per partition and currency of a validated scratch file.

    Currencies are never added: a partition billed in two currencies gets two totals.
    """
    rows_sql = partition_rows_sql(detected, name, SCRATCH_VIEW, numbered=False, money=True)
    found = con.execute(
        f"SELECT provider, account, period, currency, count(*), sum(cost) FROM ({rows_sql}) "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    has_cost = detected.format.cost_sql is not None
    return [
        PartitionTotal(Partition(p, str(a), d), c, n, t if has_cost else None)
        for p, a, d, c, n, t in found
    ]


def infer_dataset(con: duckdb.DuckDBPyConnection, detected: Detected) -> tuple[str, str] | None:
    """Azure actual vs amortized cost from what only one of them holds, or None.

    Amortized cost has UnusedReservation / UnusedSavingsPlan rows and prices commitment-covered
    usage; actual cost has the commitment purchases and covered usage at 0. A file holding
    neither (no commitments) or both says nothing.
    """
    fmt = detected.format
    assert fmt.cost_sql is not None
    cost = fmt.cost_sql.replace("CAST(", "TRY_CAST(", 1)  # not validated yet
    inner = ",\n  ".join(projection(detected, SCRATCH_VIEW, all_declared=True))
    committed = "\"PricingModel\" IN ('Reservation', 'SavingsPlan')"
    amortized, actual = con.execute(
        f"""
        SELECT
          count(*) FILTER (WHERE "ChargeType" IN ('UnusedReservation', 'UnusedSavingsPlan')
            OR ({committed} AND "ChargeType" = 'Usage' AND {cost} <> 0)),
          count(*) FILTER (WHERE {committed} AND ("ChargeType" = 'Purchase'
            OR ("ChargeType" = 'Usage' AND {cost} = 0)))
        FROM (SELECT\n  {inner}\nFROM {SCRATCH_VIEW})
        """
    ).fetchone()
    if amortized and not actual:
        return "amortized", (
            f"its content says so ({amortized} rows of unused or priced commitment usage)"
        )
    if actual and not amortized:
        return "actual", f"its content says so ({actual} commitment purchase or covered rows)"
    return None
