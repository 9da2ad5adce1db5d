"""Recognise a landing file: its physical type, its header, and the export format it holds.

Detection reads only the start of the file (first CSV line after a BOM or gzip, the Parquet
schema, the first JSON object; a JSON array, small as provider CLIs print them, is sampled by
DuckDB), so it is cheap enough for a sensor.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb

from dagster_project.formats import AWS_CUR, DETECTION_ORDER, ExportFormat, athena_name
from dagster_project.ingest.errors import FileRefused

_HEADER_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say: its type and its column names (and Parquet types)."""

    file_type: str
    """``csv``, ``csv.gz``, ``parquet``, ``jsonl``, ``jsonl.gz``, ``json`` or ``json.gz`` (a JSON
    array)."""
    header: tuple[str, ...]
    source_types: dict[str, str] = field(default_factory=dict)
    """DuckDB types of Parquet columns; empty for text files."""


@dataclass(frozen=True)
class ColumnMap:
    """How each column of a file lands in the raw table."""

    declared: dict[str, str]
    """File column -> declared column name (spelled as the registry spells it)."""
    folded: dict[str, tuple[str, str]]
    """File column -> (JSON column, key) for dynamic families such as ``resourceTags/*``."""
    extra: tuple[str, ...]
    """File columns the format does not declare (schema drift), in file order."""
    physical: dict[str, str]
    """File column -> its column name in the scratch table. CSV columns are read under
    positional names (``c0``, ``c1``...) because headers may hold names DuckDB would merge:
    AWS tag keys are case-sensitive (``resourceTags/user:Team`` and ``.../user:team``)."""


@dataclass(frozen=True)
class Detected:
    """A file recognised as one export format."""

    format: ExportFormat
    sniffed: Sniffed
    columns: ColumnMap


def sniff(path: Path, name: str) -> Sniffed:
    """Read the type and header of a local file; refuse empty, unknown or unreadable files."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if not start:
        raise FileRefused(
            name,
            "the file is empty (0 bytes)",
            "re-export the file, or delete it if the delivery was a mistake",
        )
    if start == b"PAR1":
        return _sniff_parquet(path, name)
    compressed = start[:2] == b"\x1f\x8b"
    first = _first_line(path, compressed, name)
    suffix = ".gz" if compressed else ""
    if first.lstrip().startswith("{"):
        return Sniffed(f"jsonl{suffix}", _json_keys(first, name))
    if first.lstrip().startswith("["):
        return Sniffed(f"json{suffix}", _json_array_keys(path, name))
    return Sniffed(f"csv{suffix}", _csv_header(first, name))


def _first_line(path: Path, compressed: bool, name: str) -> str:
    """The first line, decoded as UTF-8 with an optional BOM."""
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.readline(_HEADER_LIMIT)
    except (OSError, EOFError) as exc:
        raise FileRefused(
            name,
            f"the gzip stream cannot be read ({exc})",
            "download the file again; the copy in the landing is damaged",
        ) from None
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            name,
            "the header is not UTF-8 text",
            "export the file as UTF-8 (CSV), Parquet or newline-delimited JSON",
        ) from None
    if not line.strip():
        raise FileRefused(
            name,
            "the file has no header line",
            "re-export the file with its header row",
        )
    return line.rstrip("\r\n")


def _csv_header(line: str, name: str) -> tuple[str, ...]:
    """Column names of a comma-separated header; refuse other delimiters and duplicates."""
    header = tuple(next(csv.reader(io.StringIO(line))))
    if len(header) == 1:
        for delimiter, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delimiter in line:
                raise FileRefused(
                    name,
                    f"the header is {label}-separated ({line[:60]!r})",
                    "export the file comma-separated, as the provider delivers it (spreadsheet "
                    "tools in some locales save ';' - choose 'CSV (comma delimited)')",
                    row=None,
                )
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise FileRefused(
                name,
                "the header has the same column twice",
                "remove the duplicate column and deliver the file again",
                column=column,
            )
        seen.add(column)
    return header


def _json_keys(line: str, name: str) -> tuple[str, ...]:
    """Keys of the first JSON object."""
    try:
        first = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            name,
            f"line 1 is not a JSON object ({exc.msg})",
            "export newline-delimited JSON, one object per line",
            row=1,
        ) from None
    return tuple(first)


def _json_array_keys(path: Path, name: str) -> tuple[str, ...]:
    """Keys of the objects of a JSON array (a provider CLI's ``list`` output, pretty-printed,
    so not one object per line): DuckDB reads the array and unions the keys it samples."""
    try:
        rows = duckdb.sql(
            f"DESCRIBE SELECT * FROM read_json('{_sql_path(path)}', format = 'array', "
            "hive_partitioning = false)"
        ).fetchall()
    except duckdb.Error as exc:
        raise FileRefused(
            name,
            f"the JSON array cannot be read ({_first_line_of(exc)})",
            "deliver the list as the provider's CLI prints it: one JSON array of objects",
        ) from None
    header = tuple(r[0] for r in rows)
    if header == ("json",):  # an empty array, or an array of scalars
        raise FileRefused(
            name,
            "the JSON array holds no objects, so there is nothing to load",
            "deliver the list only when it has entries (an empty inventory changes nothing)",
        )
    return header


def _sniff_parquet(path: Path, name: str) -> Sniffed:
    """Column names and DuckDB types from the Parquet footer."""
    try:
        rows = duckdb.sql(
            f"DESCRIBE SELECT * FROM read_parquet('{_sql_path(path)}', hive_partitioning = false)"
        ).fetchall()
    except duckdb.Error as exc:
        raise FileRefused(
            name,
            f"the Parquet file cannot be read ({_first_line_of(exc)})",
            "download the file again; the copy in the landing is damaged or incomplete",
        ) from None
    return Sniffed("parquet", tuple(r[0] for r in rows), {r[0]: r[1] for r in rows})


def detect(path: Path, name: str, relative: str) -> Detected:
    """Recognise the export format of a local file, or refuse it with the fix."""
    sniffed = sniff(path, name)
    fmt = _match_format(sniffed, relative, name)
    if not any(_type_matches(sniffed.file_type, t) for t in fmt.file_types):
        raise FileRefused(
            name,
            f"{fmt.description} is accepted as {', '.join(fmt.file_types)}, "
            f"not {sniffed.file_type}",
            f"export it as {' or '.join(fmt.file_types)}",
        )
    return Detected(fmt, sniffed, map_columns(fmt, sniffed, name))


def _type_matches(file_type: str, accepted: str) -> bool:
    """``jsonl`` accepts plain and gzip JSONL alike when the format lists ``jsonl.gz``."""
    return file_type == accepted or (file_type == "jsonl" and accepted == "json")


def _match_format(sniffed: Sniffed, relative: str, name: str) -> ExportFormat:
    """The first registered format whose header rule and path rule both match.

    A Parquet header is tried as it is first, then with legacy CUR Athena names translated
    back to their CSV spelling (legacy CUR Parquet shares snake_case names with CUR 2.0).
    """
    header = list(sniffed.header)
    attempts = [header]
    if sniffed.file_type == "parquet":
        attempts.append([_legacy_cur_name(h) for h in header])
    for candidate in attempts:
        for fmt in DETECTION_ORDER:
            if fmt.detect.matches_header(candidate):
                return _check_path(fmt, relative, name)
    shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
    raise FileRefused(
        name,
        f"unknown format: the header ({shown}) matches no registered export",
        "deliver one of the supported exports (docs/ingestion.md), or register the format in "
        "dagster_project/formats.py",
    )


def _check_path(fmt: ExportFormat, relative: str, name: str) -> ExportFormat:
    """Apply a format's path rule (Azure actual vs amortized share one header)."""
    if not fmt.detect.path_tokens or _path_has_token(relative, fmt.detect.path_tokens):
        return fmt
    sibling = _sibling_with_same_header(fmt, relative)
    if sibling is not None:
        return sibling
    raise FileRefused(
        name,
        "this Azure cost details file's path says neither 'ActualCost' nor 'AmortizedCost'",
        "keep Microsoft's export name in the path (e.g. '<export>-ActualCost/.../part_0_0001.csv')"
        " or rename the file to contain ActualCost or AmortizedCost",
    )


def _sibling_with_same_header(fmt: ExportFormat, relative: str) -> ExportFormat | None:
    """Another format with the same header rule whose path tokens match (Azure amortized)."""
    for other in DETECTION_ORDER:
        if (
            other is not fmt
            and other.detect.all_of == fmt.detect.all_of
            and _path_has_token(relative, other.detect.path_tokens)
        ):
            return other
    return None


def _path_has_token(relative: str, tokens: tuple[str, ...]) -> bool:
    """True when the file name, else the nearest folder naming one, contains a token.

    The nearest path part wins, so ``actual/2024-01/AmortizedCost.csv`` is amortized.
    """
    if not tokens:
        return False
    every = ("actual", "amortized")
    for part in reversed(PurePosixPath(relative.lower()).parts):
        found = [t for t in every if t in part]
        if found:
            return any(t in found for t in tokens) and len(found) == 1
    return False


def _legacy_cur_name(parquet_name: str) -> str:
    """The CSV spelling of a legacy CUR Parquet column when it is a declared one."""
    return _LEGACY_CUR_BY_ATHENA.get(parquet_name, parquet_name)


_LEGACY_CUR_BY_ATHENA = {athena_name(c.name): c.name for c in AWS_CUR.columns if "/" in c.name}
_LEGACY_FOLDS = {"resource_tags_": "resourceTags", "cost_category_": "costCategory"}


def map_columns(fmt: ExportFormat, sniffed: Sniffed, name: str = "") -> ColumnMap:
    """Match each file column to a declared column, a folded family, or schema drift.

    Two file columns that would land in one raw column (names equal but for case, outside the
    folded families whose keys keep their case) are refused.
    """
    declared: dict[str, str] = {}
    folded: dict[str, tuple[str, str]] = {}
    extra: list[str] = []
    parquet_cur = fmt.key == "aws_cur" and sniffed.file_type == "parquet"
    landed: dict[str, str] = {}
    for column in sniffed.header:
        target = fmt.column(_legacy_cur_name(column) if parquet_cur else column)
        fold = _fold_of(fmt, column, parquet_cur)
        if fold is not None:
            folded[column] = fold
            continue
        if target is not None and target.name not in fmt.folded_prefixes.values():
            declared[column] = target.name
        else:
            extra.append(column)
        raw_name = (declared.get(column) or column).lower()
        if raw_name in landed:
            raise FileRefused(
                name,
                f"the header has two columns that differ only in case ({landed[raw_name]!r})",
                "keep one of them; column names are case-insensitive in the warehouse",
                column=column,
            )
        landed[raw_name] = column
    text = sniffed.file_type.startswith("csv")
    physical = {c: f"c{i}" if text else c for i, c in enumerate(sniffed.header)}
    return ColumnMap(declared, folded, tuple(extra), physical)


def _fold_of(fmt: ExportFormat, column: str, parquet_cur: bool) -> tuple[str, str] | None:
    """(JSON column, key) when a column belongs to a folded dynamic family."""
    for prefix, target in fmt.folded_prefixes.items():
        if column.startswith(prefix) and len(column) > len(prefix):
            return target, column[len(prefix) :]
    if parquet_cur:
        for prefix, target in _LEGACY_FOLDS.items():
            if column.startswith(prefix) and len(column) > len(prefix):
                return target, column[len(prefix) :]
    return None


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body."""
    return str(path).replace("'", "''")


def _first_line_of(exc: BaseException) -> str:
    """The first line of a (multi-line) DuckDB error."""
    return re.sub(r"\s+", " ", str(exc).strip().splitlines()[0])[:300]
