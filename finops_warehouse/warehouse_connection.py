"""The one way the project opens the warehouse file: attached under a fixed catalog name.

DuckDB names a file's catalog after its stem, and a two-part name such as `marts.fct_x` is
ambiguous when that stem is also a schema (a warehouse called `marts.duckdb`). Attached as
`warehouse` to an in-memory database, and made the default, every name resolves the same way
whatever the file is called. dbt attaches it the same way, through the plugin in
`finops_warehouse.dbt_warehouse_plugin`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

CATALOG = "warehouse"


def duckdb_memory_limit() -> str:
    """DuckDB's memory bound, FINOPS_DUCKDB_MEMORY_LIMIT (default 3GB), as the profile reads it."""
    limit = os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT", "3GB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        raise ValueError(
            f"FINOPS_DUCKDB_MEMORY_LIMIT={limit!r} is not a memory size; use e.g. 3GB or 512MiB"
        )
    return limit


def attach_statements(warehouse: Path | str, *, read_only: bool = False) -> list[str]:
    """SQL that attaches the warehouse as `warehouse`, bounds DuckDB's memory and spills beside
    the file.

    The bound is the project's (DuckDB's own default is 80% of RAM, which a large build or
    export fills); spill beside the file, as DuckDB does for a database it opens directly (an
    in-memory database would spill into the working directory).
    """
    quoted = str(warehouse).replace("'", "''")
    return [
        f"SET memory_limit = '{duckdb_memory_limit()}'",
        f"SET temp_directory = '{quoted}.tmp'",
        f"ATTACH '{quoted}' AS {CATALOG}" + (" (READ_ONLY)" if read_only else ""),
    ]


def connect(
    warehouse: Path | str, *, read_only: bool = False, wait_seconds: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """A connection whose default catalog is the warehouse file.

    Waits up to `wait_seconds` while another process holds DuckDB's write lock (a finishing
    dbt process still holds it as the job reports success; an analyst's tool may too).
    """
    statements = attach_statements(warehouse, read_only=read_only)
    deadline = time.monotonic() + wait_seconds
    while True:
        con = duckdb.connect()
        try:
            for statement in statements:
                con.execute(statement)
        except duckdb.IOException as exc:
            con.close()
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
            continue
        con.execute(f"USE {CATALOG}")
        return con


def rows_if_built(warehouse: Path | str, sql: str) -> list[tuple]:
    """The rows of a read-only query; none while the file or a table it reads does not exist
    yet (before the first run, or after a build that failed before that table)."""
    if not Path(warehouse).exists():
        return []
    with connect(warehouse, read_only=True) as con:
        try:
            return con.execute(sql).fetchall()
        except duckdb.CatalogException:
            return []
