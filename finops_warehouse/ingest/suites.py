"""Write a starting Great Expectations suite per format from the registry.

The JSON files in ``expectations/`` are the source of truth and are committed; this script only
writes a first version (``python -m finops_warehouse.ingest.suites [--force] [FORMAT ...]``).
Edit the JSON by hand afterwards; ``expectations/README.md`` says how to read it.

Every expectation carries ``meta.fix`` (what the owner of a refused file should do) and, for
SQL checks, ``meta.column`` (the column it reads, so the check is skipped when an optional
column is absent from a file). SQL checks use ``{batch}``, the scratch view of one file with a
``_row_number`` column, and DuckDB SQL.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from finops_warehouse.ingest.formats import FORMATS, ExportFormat, parse_timestamp_sql, quote
from finops_warehouse.locations import EXPECTATIONS_DIR

log = logging.getLogger(__name__)

NUMERIC = "DECIMAL(38,10)"
FAST_NUMERIC = "DECIMAL(18,10)"


def _expect(type_: str, fix: str, severity: str = "critical", **kwargs: Any) -> dict[str, Any]:
    """One expectation configuration as GX 1.x serialises it."""
    meta = {"fix": fix}
    if "meta_column" in kwargs:
        meta["column"] = kwargs.pop("meta_column")
    description = kwargs.pop("description", None)
    out: dict[str, Any] = {"type": type_, "kwargs": kwargs, "meta": meta, "severity": severity}
    if description:
        out["description"] = description
    return out


def _unexpected_rows(column: str, where: str, description: str, fix: str, **kw: Any) -> dict:
    """A SQL expectation returning the offending rows (row number and value) of one column."""
    query = f"SELECT _row_number, {quote(column)} AS value FROM {{batch}} WHERE {where}"
    return _expect(
        "unexpected_rows_expectation",
        fix,
        unexpected_rows_query=query,
        description=description,
        meta_column=column,
        **kw,
    )


def _required(fmt: ExportFormat) -> list[dict]:
    """Required columns are present.

    Groups of alternative names (``required_any``, Azure EA vs MCA spellings) have no GX
    expectation; ingestion checks them before the suite runs.
    """
    return [
        _expect(
            "expect_column_to_exist",
            f"re-export {fmt.description} with the column {column!r} (it is required)",
            column=column,
        )
        for column in fmt.required
    ]


def _numeric(fmt: ExportFormat) -> list[dict]:
    """Cost and quantity text columns hold numbers (scientific notation accepted).

    DuckDB parses text into ``DECIMAL(38,10)`` (128-bit) some fifty times slower than into
    ``DECIMAL(18,10)`` once a value is 1 or more. Every value that fits the narrow type fits the
    wide one, so the narrow cast goes first and the exact check only sees what it rejects: the
    same rows fail, the check costs a fraction.
    """
    return [
        _unexpected_rows(
            column,
            f"{quote(column)} IS NOT NULL AND TRY_CAST({quote(column)} AS {FAST_NUMERIC}) IS NULL "
            f"AND TRY_CAST({quote(column)} AS {NUMERIC}) IS NULL",
            f"{column} is a number",
            f"fix the value so {column!r} holds a plain decimal number "
            "(no currency symbol, no thousands separator, '.' as decimal point)",
        )
        for column in fmt.numeric_columns
    ]


def _timestamps(fmt: ExportFormat) -> list[dict]:
    """Timestamp text columns parse in one of the documented export formats.

    Most values are ISO 8601, which a plain ``TRY_CAST`` accepts cheaply; the full parse (time
    zone conversion and the other layouts) only runs on the values that cast rejects.
    """
    return [
        _unexpected_rows(
            column,
            f"{quote(column)} IS NOT NULL AND TRY_CAST({quote(column)} AS TIMESTAMPTZ) IS NULL "
            f"AND {parse_timestamp_sql(quote(column))} IS NULL",
            f"{column} is a timestamp",
            f"write {column!r} as ISO 8601 UTC (2024-01-31T00:00:00Z), or MM/DD/YYYY for "
            "Azure dates",
        )
        for column in fmt.timestamp_columns
    ]


def _ids(fmt: ExportFormat) -> list[dict]:
    """Identifier columns are filled on every row."""
    return [
        _expect(
            "expect_column_values_to_not_be_null",
            f"fill {column!r} on every row; the provider's export always has it",
            column=column,
        )
        for column in fmt.id_columns
    ]


def _enumerations(fmt: ExportFormat) -> list[dict]:
    """Documented values; only a warning, since providers add values without notice."""
    return [
        _expect(
            "expect_column_values_to_be_in_set",
            f"nothing, if the provider introduced a new {column} value; then add it to "
            "finops_warehouse/ingest/formats/ and to the staging model that maps it",
            severity="warning",
            column=column,
            value_set=list(values),
        )
        for column, values in fmt.enumerations.items()
    ]


def build_suite(fmt: ExportFormat) -> dict[str, Any]:
    """The default suite of a format, as GX 1.x JSON."""
    expectations = (
        _required(fmt) + _ids(fmt) + _numeric(fmt) + _timestamps(fmt) + _enumerations(fmt)
    )
    return {
        "name": fmt.key,
        "expectations": expectations,
        "meta": {
            "great_expectations_version": "1.24.1",
            "format": fmt.key,
            "about": "Run on the scratch view {batch} of one landing file before it is loaded. "
            "See expectations/README.md.",
        },
        "notes": None,
    }


def write_suites(keys: list[str], force: bool) -> list[Path]:
    """Write ``expectations/<key>.json`` for each format; keep existing files unless forced."""
    EXPECTATIONS_DIR.mkdir(exist_ok=True)
    written = []
    for key in keys or list(FORMATS):
        target = EXPECTATIONS_DIR / f"{key}.json"
        if target.exists() and not force:
            log.info("keeping %s (use --force to overwrite)", target)
            continue
        target.write_text(json.dumps(build_suite(FORMATS[key]), indent=2) + "\n")
        written.append(target)
    return written


def main() -> None:
    """Command line: write the starting suites."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("formats", nargs="*", help="format keys (default: all)")
    parser.add_argument("--force", action="store_true", help="overwrite existing suites")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in write_suites(args.formats, args.force):
        log.info("wrote %s", path)


if __name__ == "__main__":
    main()
