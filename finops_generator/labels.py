"""The injected changes as anomaly labels (``finops_warehouse/ingest/formats/`` ``anomaly_labels``),
one CSV per month of their first day: what ``marts.fct_anomaly_backtest`` scores detection
against, the same way a user's own known incidents are scored.

Written from the ground truth's ``spikes`` (one day) and ``level_changes`` (lasting: no last
day), whatever their kind, so the labels and ``ground_truth.json`` cannot disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._textio import set_mtime, sha256_of
from ._units import fmt
from .periods import Month, iso

PLACES = Decimal("0.0001")
"""Extra cost per day to four decimals: a lasting change's total over its days rarely divides."""

HEADER = (
    "label_id",
    "kind",
    "provider",
    "billing_account_id",
    "sub_account_id",
    "service_name",
    "resource_id",
    "first_day",
    "last_day",
    "extra_cost_per_day",
    "description",
)


def label_rows(gt: Any) -> list[dict[str, str]]:
    """One label per injected change (a lasting change has a ground-truth record per billing
    month it falls in: one label, its extra cost per day over all of them)."""
    last_month = dt.date.fromisoformat(gt.billing_periods[-1] + "-01")
    after_data = (last_month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    changes: dict[tuple, list] = defaultdict(list)
    for lasting, records in ((False, gt.spikes), (True, gt.level_changes)):
        for r in records:
            changes[(lasting, r.kind, r.billing_account_id, r.resource_id, r.date)].append(r)
    rows = []
    # Numbered in the order of their first day.
    ordered = sorted(changes.items(), key=lambda item: (item[0][4], item[0][1:4]))
    for (lasting, kind, account, resource, day), records in ordered:
        first = dt.date.fromisoformat(day)
        extra = sum(r.extra_cost for r in records)
        days = (after_data - first).days if lasting else 1
        per_day = (Decimal(fmt(extra)) / days).quantize(PLACES)
        sub_account = service = ""
        # The generator records a charge without a resource id (GCP BigQuery) as
        # "<project>/<service>" (GCP resource ids start with //): the label names both instead.
        if records[0].format == "gcp_billing" and not resource.startswith("//"):
            sub_account, service = resource.split("/", 1)
            resource = ""
        rows.append(
            {
                "label_id": f"{kind}-{day}-{len(rows) + 1}",
                "kind": kind,
                "provider": records[0].provider,
                "billing_account_id": account,
                "sub_account_id": sub_account,
                "service_name": service,
                "resource_id": resource,
                "first_day": day,
                "last_day": "" if lasting else day,
                "extra_cost_per_day": f"{per_day.normalize():f}",
                "description": records[0].description,
            }
        )
    return rows


def generate(root: Path, months: list[Month], gt: Any, progress: Any) -> None:
    from .ground_truth import FileRecord

    by_month: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in label_rows(gt):
        by_month[row["first_day"][:7]].append(row)
    for month in months:
        if not by_month[month.label]:
            continue
        path = root / "anomaly_labels" / f"anomaly_labels_{month.label}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = io.StringIO()
        writer = csv.DictWriter(text, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(by_month[month.label])
        path.write_text(text.getvalue(), encoding="utf-8")
        # Known once the month is over, like the month's business metrics.
        mtime = month.next_at(1, 2)
        set_mtime(path, mtime)
        gt.files.append(
            FileRecord(
                path=path.relative_to(root.parent).as_posix(),
                format="anomaly_labels",
                billing_account_id=None,
                billing_period=month.label,
                rows=len(by_month[month.label]),
                cost_total=None,
                currency=None,
                superseded=False,
                delivered_at=iso(mtime),
                bytes=path.stat().st_size,
                sha256=sha256_of(path),
            )
        )
    if progress:
        progress(f"anomaly_labels: {sum(map(len, by_month.values()))} labels")
