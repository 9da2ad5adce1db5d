"""Invoice totals in the project's generic CSV, one file per provider billing account and
billing period: ``invoice_id,invoice_issuer,provider,billing_account_id,billing_period,
currency,amount,issue_date`` (docs/architecture.md). Every invoice but those the vendor
delivers as FOCUS InvoiceDetail files (Skylight, focus.py).

Amounts are the exact sums the other writers recorded for each invoice's rows in the final
delivery (AWS: Σ lineItem/UnblendedCost per bill/InvoiceId, negations included; Azure: Σ
costInBillingCurrency per invoiceId; GCP: Σ cost + Σ credits per billing account and invoice
month; FOCUS: Σ BilledCost per InvoiceId).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ._textio import csv_cell, set_mtime, sha256_of
from ._units import fmt
from .periods import Month, iso

COLUMNS = (
    "invoice_id",
    "invoice_issuer",
    "provider",
    "billing_account_id",
    "billing_period",
    "currency",
    "amount",
    "issue_date",
)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()


def generate(root: Path, months: list[Month], gt: Any, progress: Any) -> None:
    from .ground_truth import FileRecord, Partition

    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for inv in (i for i in gt.invoices if i.invoice_format == "invoices"):
        groups[(inv.provider, inv.billing_account_id, inv.billing_period)].append(inv)
    by_label = {m.label: m for m in months}
    for (provider, account, period), invoices in sorted(groups.items()):
        path = (
            root
            / "invoices"
            / _slug(provider)
            / _slug(account)
            / f"invoices_{_slug(provider)}_{period}.csv"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [",".join(COLUMNS)]
        for inv in sorted(invoices, key=lambda i: (i.issue_date, i.invoice_id)):
            lines.append(
                ",".join(
                    csv_cell(v)
                    for v in (
                        inv.invoice_id,
                        inv.invoice_issuer,
                        inv.provider,
                        inv.billing_account_id,
                        inv.billing_period,
                        inv.currency,
                        fmt(inv.amount),
                        inv.issue_date,
                    )
                )
            )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        mtime = by_label[period].next_at(10, 6)
        set_mtime(path, mtime)
        currency = {i.currency for i in invoices}.pop()
        amount = sum(i.amount for i in invoices)
        gt.files.append(
            FileRecord(
                path=path.relative_to(root.parent).as_posix(),
                format="invoices",
                billing_account_id=account,
                billing_period=period,
                rows=len(invoices),
                cost_total=amount,
                currency=currency,
                superseded=False,
                delivered_at=iso(mtime),
                bytes=path.stat().st_size,
                sha256=sha256_of(path),
                partitions=[Partition(provider, account, period, currency, len(invoices), amount)],
            )
        )
    if progress:
        written = sum(len(invoices) for invoices in groups.values())
        progress(f"invoices: {written} invoices in {len(groups)} files")
