"""Daily business metrics per product (``date,product,metric,value``), one CSV per month:
the denominators of unit economics (cost per request, per active user, per GB processed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._textio import set_mtime, sha256_of
from ._units import fmt, stable_int, uniform
from .company import PRODUCTS
from .periods import Month, iso

METRICS = ("requests", "active_users", "gb_processed")
# Baseline per product per day: requests, active users, GB processed (scale 1e-3).
BASELINE = {
    "payments-api": (4_200_000, 180_000, 310_000),
    "search": (26_000_000, 950_000, 1_850_000),
    "storefront": (18_500_000, 1_200_000, 920_000),
    "analytics": (350_000, 1_400, 6_400_000),
    "recommendations": (9_800_000, 870_000, 2_750_000),
}


def generate(root: Path, months: list[Month], seed: int, gt: Any, progress: Any) -> None:
    from .ground_truth import FileRecord

    for month in months:
        path = root / "business_metrics" / f"business_metrics_{month.label}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        days = np.arange(month.start_h // 24, month.end_h // 24)
        lines = ["date,product,metric,value"]
        total = 0
        for product in PRODUCTS:
            for m_i, metric in enumerate(METRICS):
                base = BASELINE[product][m_i]
                weekday = (days + 3) % 7
                shape = np.where(weekday < 5, 1.0, 0.82)
                growth = 1.0 + 0.004 * (days - days[0] + 31 * month.index)
                u = uniform(stable_int(seed, "metrics", product, metric), days)
                value = np.round(base * shape * growth * (0.94 + 0.12 * u)).astype(np.int64)
                scale = 10**7 if metric == "gb_processed" else 10**10  # to units of 1e-10
                for d, v in zip(days.tolist(), value.tolist(), strict=True):
                    text = fmt(v, 3) if metric == "gb_processed" else str(v)
                    lines.append(f"{iso(d * 86400, '%Y-%m-%d')},{product},{metric},{text}")
                    total += v * scale
                record = gt.business_metrics[(product, metric, month.label)]
                record[0] += len(days)
                record[1] += int(value.sum()) * scale
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        mtime = month.next_at(1, 2)
        set_mtime(path, mtime)
        gt.files.append(
            FileRecord(
                path=path.relative_to(root.parent).as_posix(),
                format="business_metrics",
                billing_account_id=None,
                billing_period=month.label,
                rows=len(lines) - 1,
                cost_total=total,
                currency=None,
                superseded=False,
                delivered_at=iso(mtime),
                bytes=path.stat().st_size,
                sha256=sha256_of(path),
            )
        )
    if progress:
        progress(f"business_metrics: {len(months)} files")
