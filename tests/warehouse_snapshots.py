"""Row-for-row pictures of a warehouse, to prove that a run changed nothing."""

import hashlib
from pathlib import Path

import duckdb


def raw_snapshot(warehouse: Path) -> dict[str, list]:
    """Every raw table's rows, the manifest's included, in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        return {t: con.execute(f'select * from raw."{t}" order by all').fetchall() for t in tables}


def marts_snapshot(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Each relation of schema marts: its row count and the sha256 of its rows sorted by every
    column (values as Python reprs: Decimal, date and timestamp keep every digit)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        result = {}
        for (name,) in names:
            rows = con.execute(f'select * from marts."{name}" order by all').fetchall()
            digest = hashlib.sha256("\n".join(map(repr, rows)).encode()).hexdigest()
            result[name] = (len(rows), digest)
        return result
