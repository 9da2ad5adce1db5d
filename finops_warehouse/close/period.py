"""`finops close`: close one billing month for finance, or refuse and say why.

Order of work, so that a crash at any point leaves either nothing or a whole close:
1. refuse unless every invoice of the month is matched (fct_invoice_reconciliation);
2. read the extracts (the month's rows plus the adjustments of closed months it carries, rounded:
   marts.fct_close_extract_lines), write every file and the manifest into a staging directory,
   fsync, rename it into place;
3. record the close (closed_periods, the frozen ledger and showback) in one transaction.
A failure in 2 leaves no directory; a failure in 3 removes the directory again. A month is
Closed only once its files are complete; a closed month is never written again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from finops_warehouse.close import files
from finops_warehouse.close.extracts import SHOWBACK_MART, Extract, carried_periods, extracts
from finops_warehouse.close.gate import (
    RECONCILIATION_MART,
    held_back_refusals,
    invoices_of,
    reconciliation_problems,
)
from finops_warehouse.close.state import ClosedPeriod, closed_period
from finops_warehouse.locations import RULES_DIR
from finops_warehouse.orchestration.partitions import month_start
from finops_warehouse.warehouse_connection import connect

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


class CloseRefused(Exception):
    """The month cannot be closed; `reasons` says why, one line each."""

    def __init__(self, period: str, reasons: list[str]):
        self.reasons = reasons
        super().__init__(f"{period} cannot be closed: " + "; ".join(reasons))


@dataclass
class CloseResult:
    period: str
    directory: Path
    manifest_sha256: str
    already_closed: bool = False
    closed_at: dt.datetime | None = None
    files: list[files.WrittenFile] = field(default_factory=list)
    totals: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


def rules_version(rules_dir: Path = RULES_DIR) -> str:
    """sha256 over the allocation rule files, by name order (name and bytes of each)."""
    digest = hashlib.sha256()
    for path in sorted(rules_dir.glob("*.csv")) if rules_dir.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def refusals(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[str]:
    """Why the month cannot be closed now; empty when it can."""
    if not _relation_exists(con, SHOWBACK_MART):
        return [f"{SHOWBACK_MART} (the allocation mart) is not built: run `finops run` first"]
    if not invoices_of(con, period):
        return [f"no invoice and no charge of {period:%Y-%m} in {RECONCILIATION_MART}"]
    return held_back_refusals(con, period) + [
        p.describe(period) for p in reconciliation_problems(con, period)
    ]


def close_period(
    warehouse: Path,
    period: str,
    out_root: Path,
    now: dt.datetime | None = None,
) -> CloseResult:
    """Close `period` (YYYY-MM): write its extracts under `out_root/<YYYY-MM>/`, then record it.

    Raises CloseRefused when an invoice of the month is not matched. Closing a closed month
    changes nothing and returns its existing close with `already_closed` set.
    """
    start = month_start(period)
    label = f"{start:%Y-%m}"
    with connect(warehouse) as con:
        existing = closed_period(con, start)
        if existing:
            return _already_closed(label, existing)
        reasons = refusals(con, start)
        if reasons:
            raise CloseRefused(label, reasons)
        carried = carried_periods(con, start)
        lines = extracts(con, start)
        reconciliation = _reconciliation_rows(con, start)

        closed_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        directory = out_root.resolve() / label
        version = rules_version()
        written, totals, manifest_sha = _write_directory(
            directory, label, closed_at, version, lines, reconciliation, carried
        )
        try:
            _record_close(con, start, closed_at, directory, manifest_sha, version)
        except BaseException:
            # The files were never recorded as a close: take them away again.
            shutil.rmtree(directory, ignore_errors=True)
            raise
    log.info("closed %s: %s", label, directory)
    return CloseResult(label, directory, manifest_sha, False, closed_at, written, totals)


def _already_closed(label: str, existing: ClosedPeriod) -> CloseResult:
    return CloseResult(
        label,
        Path(existing.extract_directory),
        existing.manifest_sha256,
        already_closed=True,
        closed_at=existing.closed_at,
    )


def _relation_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, table = name.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = $schema and table_name = $table",
            {"schema": schema, "table": table},
        ).fetchone()[0]
    )


def _reconciliation_rows(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[dict]:
    result = con.execute(
        f"select * from {RECONCILIATION_MART} where BillingPeriodStart = $period"
        " order by RecordType, ReconciliationKey, BillingCurrency",
        {"period": period},
    )
    names = [d[0] for d in result.description]
    return [
        {n: (None if v is None else str(v)) for n, v in zip(names, row, strict=True)}
        for row in result.fetchall()
    ]


def _write_directory(
    directory: Path,
    label: str,
    closed_at: dt.datetime,
    version: str,
    lines: list[Extract],
    reconciliation: list[dict],
    carried: list[dt.date],
) -> tuple[list[files.WrittenFile], dict, str]:
    """Write the extracts and the manifest, all or nothing; return the files, totals and the
    manifest's sha256."""
    written: list[files.WrittenFile] = []
    totals: dict[str, dict[str, dict[str, str]]] = {}
    with files.staged_directory(directory) as staging:
        for extract in lines:
            stem = f"{extract.name}_{label}"
            files.write_csv(staging / f"{stem}.csv", extract.columns, extract.rows)
            files.write_xlsx(
                staging / f"{stem}.xlsx", extract.columns, extract.rows, extract.name, closed_at
            )
            files.write_parquet(staging / f"{stem}.parquet", extract.columns, extract.rows)
            for suffix in ("csv", "xlsx", "parquet"):
                written.append(files.describe(staging / f"{stem}.{suffix}", len(extract.rows)))
            totals[extract.name] = extract.totals
        manifest = {
            "billing_period": label,
            "closed_at": closed_at.isoformat(),
            "rules_version": version,
            "rounding": "largest remainder to 0.01 per extract and currency (half up total)",
            "carries_adjustments_of": [f"{p:%Y-%m}" for p in carried],
            "files": [vars(f) for f in written],
            "totals": totals,
            "reconciliation": reconciliation,
        }
        payload = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        files.write_durably(staging / MANIFEST, lambda handle: handle.write(payload))
    return written, totals, hashlib.sha256(payload).hexdigest()


def _record_close(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    closed_at: dt.datetime,
    directory: Path,
    manifest_sha: str,
    version: str,
) -> None:
    """The close state, in one transaction: the month is Closed with its frozen ledger and
    showback (the exact amounts of its extracts)."""
    con.execute("begin transaction")
    try:
        # Frozen before closed_periods gains the month: the views read close.closed_periods,
        # and they hold the lines of open months only.
        con.execute(
            """
            insert into close.closed_showback
            select $period, coalesce(CorrectsBillingPeriodStart, BillingPeriodStart),
                   Owner, Team, BusinessUnit, CostCenter, Environment, BillingCurrency,
                   BilledCost, EffectiveCost
            from marts.fct_close_extract_details where BillingPeriodStart = $period
            """,
            {"period": period},
        )
        con.execute(
            """
            insert into close.closed_ledger
            select $period, BillingPeriodStart, BillingAccountId, SubAccountId, InvoiceId,
                   ServiceName, ChargeCategory, BillingCurrency, BilledCost, EffectiveCost
            from intermediate.int_close_ledger where BillingPeriodStart = $period
            union all
            select $period, CorrectsBillingPeriodStart, BillingAccountId, SubAccountId,
                   InvoiceId, ServiceName, ChargeCategory, BillingCurrency,
                   AdjustmentBilledCost, AdjustmentEffectiveCost
            from marts.fct_close_adjustments
            where AdjustmentBillingPeriodStart = $period
            """,
            {"period": period},
        )
        con.execute(
            "insert into close.closed_periods values ($period, $closed_at, $dir, $sha, $version)",
            {
                "period": period,
                "closed_at": closed_at.replace(tzinfo=None),
                "dir": str(directory),
                "sha": manifest_sha,
                "version": version,
            },
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
