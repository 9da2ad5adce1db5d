"""The reconciliation gate: a month closes only when every one of its invoices is matched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

RECONCILIATION_MART = "marts.fct_invoice_reconciliation"
BILLING_PERIOD_MART = "marts.dim_billing_period"

# What each refusing status means for the person closing the month, and where to look.
STATUS_HELP = {
    "out_of_tolerance": "Σ BilledCost differs from the invoice by more than the tolerance",
    "invoice_missing": "no invoice delivered yet for these charges",
    "data_missing": "the invoice has no charges in fct_cost_and_usage",
}


@dataclass(frozen=True)
class ReconciliationProblem:
    invoice: str
    billing_account_id: str
    currency: str
    status: str
    invoice_total: Decimal | None
    billed_cost: Decimal | None
    variance: Decimal | None
    tolerance: Decimal
    invoice_file: str | None

    def describe(self, period: dt.date) -> str:
        amounts = (
            f"invoice {_amount(self.invoice_total)}, Σ BilledCost {_amount(self.billed_cost)}, "
            f"variance {_amount(self.variance)}, tolerance {_amount(self.tolerance)} "
            f"{self.currency}"
        )
        where = (
            f"see {RECONCILIATION_MART} where BillingPeriodStart = '{period}' and "
            f"ReconciliationKey = '{self.invoice}'"
        )
        if self.invoice_file:
            where += f"; invoice file {self.invoice_file}"
        return (
            f"invoice {self.invoice} (billing account {self.billing_account_id}): "
            f"{self.status}: {STATUS_HELP[self.status]}; {amounts}; {where}"
        )


def _amount(value: Decimal | None) -> str:
    return "none" if value is None else f"{value.normalize():f}"


def reconciliation_problems(
    con: duckdb.DuckDBPyConnection, period: dt.date
) -> list[ReconciliationProblem]:
    """Every invoice of the month that is not matched; a month with no invoice at all is one."""
    rows = con.execute(
        f"""
        select ReconciliationKey, BillingAccountId, BillingCurrency, Status, InvoiceTotal,
               BilledCost, Variance, Tolerance, InvoiceSourceFile
        from {RECONCILIATION_MART}
        where BillingPeriodStart = $period and RecordType = 'invoice'
        order by Status, ReconciliationKey
        """,
        {"period": period},
    ).fetchall()
    return [ReconciliationProblem(*row) for row in rows if row[3] != "matched"]


def invoices_of(con: duckdb.DuckDBPyConnection, period: dt.date) -> int:
    return con.execute(
        f"select count(*) from {RECONCILIATION_MART}"
        " where BillingPeriodStart = $period and RecordType = 'invoice'",
        {"period": period},
    ).fetchone()[0]


def held_back_refusals(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[str]:
    """The month's data is incomplete while a refused landing file would have fed it."""
    rows = con.execute(
        f"""
        select BillingAccountId, HeldBackFiles
        from {BILLING_PERIOD_MART}
        where BillingPeriodStart = $period and IsHeldBack
        order by BillingAccountId
        """,
        {"period": period},
    ).fetchall()
    by_files: dict[str, list[str]] = {}
    for account, files in rows:
        by_files.setdefault(files, []).append(account)
    return [
        f"data held back: the refused file(s) {files} would have fed {_accounts(accounts)} of "
        f"{period:%Y-%m}; deliver them again fixed and `finops run` (why each was refused: "
        "raw.ingest_manifest.error, or the .error.txt beside it in the quarantine)"
        for files, accounts in by_files.items()
    ]


def _accounts(accounts: list[str]) -> str:
    shown = ", ".join(accounts[:3]) + (", ..." if len(accounts) > 3 else "")
    if len(accounts) == 1:
        return f"billing account {shown}"
    return f"{len(accounts)} billing accounts ({shown})"
