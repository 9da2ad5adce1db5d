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

from finops_warehouse.ingest.errors import FileRefused
from finops_warehouse.ingest.formats import AWS_CUR, DETECTION_ORDER, ExportFormat, athena_name

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
    dataset_basis: str | None = None
    """For a format that shares its header with another (Azure actual vs amortized): what told
    the dataset (the landing config, the export manifest, the path, the content); None while
    nothing has (the content is looked at once the file is read)."""


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


def detect(
    path: Path, name: str, relative: str, dataset: tuple[str, str] | None = None
) -> Detected:
    """Recognise the export format of a local file, or refuse it with the fix.

    ``dataset``: ``(dataset, basis)`` when something outside the file already said which of two
    formats sharing a header it is (the landing config, the export's manifest).
    """
    sniffed = sniff(path, name)
    fmt = _match_format(sniffed, name)
    basis = None
    if fmt.dataset is not None:
        fmt, basis = _choose_dataset(fmt, relative, dataset)
    if not any(_type_matches(sniffed.file_type, t) for t in fmt.file_types):
        raise FileRefused(
            name,
            f"{fmt.description} is accepted as {', '.join(fmt.file_types)}, "
            f"not {sniffed.file_type}",
            f"export it as {' or '.join(fmt.file_types)}",
        )
    return Detected(fmt, sniffed, map_columns(fmt, sniffed, name), basis)


def with_dataset(detected: Detected, dataset: str, basis: str) -> Detected:
    """The same file read as the sibling format of another dataset (same header, same columns)."""
    fmt = sibling_format(detected.format, dataset)
    return Detected(fmt, detected.sniffed, detected.columns, basis)


def sibling_format(fmt: ExportFormat, dataset: str) -> ExportFormat:
    """The format sharing ``fmt``'s header whose dataset is ``dataset``."""
    for other in DETECTION_ORDER:
        if other.dataset == dataset and other.detect.all_of == fmt.detect.all_of:
            return other
    raise KeyError(f"no format of dataset {dataset!r} shares the header of {fmt.key}")


def _type_matches(file_type: str, accepted: str) -> bool:
    """``jsonl`` accepts plain and gzip JSONL alike when the format lists ``jsonl.gz``."""
    return file_type == accepted or (file_type == "jsonl" and accepted == "json")


def _match_format(sniffed: Sniffed, name: str) -> ExportFormat:
    """The first registered format whose header rule matches.

    A Parquet header is tried as it is first, then with legacy CUR Athena names translated
    back to their CSV spelling (legacy CUR Parquet shares snake_case names with CUR 2.0).
    """
    header = list(sniffed.header)
    attempts = [header]
    if sniffed.file_type == "parquet":
        attempts.append([_legacy_cur_name(h) for h in header])
    for candidate in attempts:
        for fmt in DETECTION_ORDER:
            if fmt.detect.matches_header(candidate) or _matches_with_aliases(fmt, candidate):
                return fmt
    shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
    lowered = {h.lower() for h in header}
    looks_like = next((hint for columns, hint in _LOOKS_LIKE if columns <= lowered), "")
    raise FileRefused(
        name,
        f"unknown format: the header ({shown}) matches no registered export{looks_like}",
        "deliver one of the supported exports (docs/ingestion.md), or register the format in "
        "finops_warehouse/ingest/formats/",
    )


# Exports people deliver that are not supported, and the supported one to deliver instead.
_LOOKS_LIKE = (
    (
        {"lineitem/referenceno", "lineitem/tenantid"},
        "; it looks like an OCI cost or usage report (the older, non-FOCUS format): OCI's FOCUS "
        "report (in the same bucket, under FOCUS Reports) is supported, deliver that instead",
    ),
)


def _matches_with_aliases(fmt: ExportFormat, header: list[str]) -> bool:
    """True when the header matches once older column spellings take their current names."""
    if not fmt.aliases:
        return False
    return fmt.detect.matches_header([fmt.aliases.get(h.lower(), h) for h in header])


def _choose_dataset(
    fmt: ExportFormat, relative: str, told: tuple[str, str] | None
) -> tuple[ExportFormat, str | None]:
    """Which dataset a shared-header file is: what the caller was told, else the path's word
    for it (the nearest path part naming one); None when neither says (content decides)."""
    if told is not None:
        return sibling_format(fmt, told[0]), told[1]
    for part in reversed(PurePosixPath(relative.lower()).parts):
        found = {
            other.dataset
            for other in DETECTION_ORDER
            if other.dataset and other.detect.all_of == fmt.detect.all_of
            for token in other.detect.path_tokens
            if token in part
        }
        if len(found) == 1:
            dataset = found.pop()
            return sibling_format(fmt, dataset), f"the path says {dataset} ({part!r})"
        if found:
            break  # a part naming both says nothing
    return fmt, None


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
    header_names = {h.lower() for h in sniffed.header}
    for column in sniffed.header:
        if not column:
            continue  # a header ending in a comma (the ECB's rate files): no name, no values
        target = fmt.column(_legacy_cur_name(column) if parquet_cur else column)
        alias = fmt.aliases.get(column.lower())
        if target is None and alias is not None and alias.lower() not in header_names:
            target = fmt.column(alias)
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
