"""The close state in the warehouse (schema `close`, created by macros/close/close_state.sql)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class ClosedPeriod:
    period: dt.date
    closed_at: dt.datetime
    extract_directory: str
    manifest_sha256: str
    rules_version: str


def close_state_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether dbt created the close schema yet (its close marts create it before any close)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'close' and table_name = 'closed_periods'"
        ).fetchone()[0]
    )


def closed_period(con: duckdb.DuckDBPyConnection, period: dt.date) -> ClosedPeriod | None:
    if not close_state_exists(con):
        return None
    row = con.execute(
        """
        select BillingPeriodStart, ClosedAt, ExtractDirectory, ManifestSha256, RulesVersion
        from close.closed_periods where BillingPeriodStart = $period
        """,
        {"period": period},
    ).fetchone()
    return ClosedPeriod(*row) if row else None
