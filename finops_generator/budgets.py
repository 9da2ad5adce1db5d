"""The company's budgets as the CSVs dbt seeds (``seeds/budgets/``), sized on the generated
costs, and the days they are reached.

``company.BUDGETS`` is the plan. A budget without an amount is sized here from the daily
cost the generator recorded for its billing account (``GroundTruth.daily_costs``); for those
budgets the ground truth lists, per period the window touches, the first day the spend to
date reaches each actual threshold and the amount (``breached``), computed from the same
daily costs, never from the marts.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from ._textio import set_mtime
from ._units import units, words
from .company import BUDGETS, MID_MONTH, Budget
from .ground_truth import BudgetPeriodRecord, GroundTruth

COLUMNS = words(
    "budget_id scope_type scope_value period amount currency cost_basis valid_from valid_to "
    "description"
)
CENT = 10**8
"""One cent in the generator's units (1e-10)."""


def _period_start(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _daily(gt: GroundTruth, budget: Budget) -> dict[dt.date, int]:
    daily = {
        dt.date.fromisoformat(day): cost
        for (account, currency, day), cost in gt.daily_costs.items()
        if account == budget.scope_value and currency == budget.currency
    }
    if budget.scope_type != "billing account" or not daily:
        raise ValueError(f"{budget.budget_id}: no daily costs recorded for its scope to size it")
    return daily


def _size(budget: Budget, daily: dict[dt.date, int], last_month: str) -> int:
    if budget.sizing == "mid-month":
        # The spend to date on the MID_MONTH-th of the last month, down to the cent: reached
        # that day and not before, as long as that day costs more than a cent.
        reach = [c for d, c in daily.items() if f"{d:%Y-%m}" == last_month and d.day <= MID_MONTH]
        return sum(reach) // CENT * CENT
    if budget.sizing == "never":
        # Twice everything positive the window holds, up to the next thousand: no period's
        # spend to date can come near it.
        step = 1000 * 10**10
        return -(-2 * sum(c for c in daily.values() if c > 0) // step) * step
    raise ValueError(f"{budget.budget_id}: unknown sizing {budget.sizing!r}")


def _periods(budget: Budget, amount: int, daily: dict[dt.date, int]) -> list[BudgetPeriodRecord]:
    actual = sorted(p for measure, p in budget.thresholds if measure == "actual")
    out = []
    for start in sorted({_period_start(d, budget.period) for d in daily}):
        reached: dict[int, str] = {}
        spend = 0
        for day in sorted(d for d in daily if _period_start(d, budget.period) == start):
            spend += daily[day]
            for percent in (*actual, 100):
                if spend * 100 >= amount * percent:
                    reached.setdefault(percent, day.isoformat())
        out.append(
            BudgetPeriodRecord(
                budget_id=budget.budget_id,
                period_start=start.isoformat(),
                amount=amount,
                currency=budget.currency,
                spend=spend,
                thresholds={str(p): reached.get(p) for p in actual},
                breached_on=reached.get(100),
            )
        )
    return out


def generate(out_dir: Path, gt: GroundTruth) -> None:
    """Write ``out_dir/budgets/budgets.csv`` and ``budget_thresholds.csv``; record the sized
    budgets' periods in ``gt``."""
    rows = []
    for budget in BUDGETS:
        if budget.amount is not None:
            amount = units(budget.amount)
        else:
            daily = _daily(gt, budget)
            amount = _size(budget, daily, gt.billing_periods[-1])
            gt.budget_periods.extend(_periods(budget, amount, daily))
        rows.append((budget, amount))
    folder = out_dir / "budgets"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "budgets.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for b, amount in rows:
            w.writerow(
                (
                    b.budget_id,
                    b.scope_type,
                    b.scope_value,
                    b.period,
                    f"{Decimal(amount).scaleb(-10):.2f}",
                    b.currency,
                    b.cost_basis,
                    b.valid_from,
                    b.valid_to,
                    b.description,
                )
            )
    with (folder / "budget_thresholds.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("budget_id", "measure", "threshold_percent"))
        for b, _ in rows:
            for measure, percent in b.thresholds:
                w.writerow((b.budget_id, measure, percent))
    # Written with the data: the time of the last delivery, so a rerun is byte and time identical.
    for path in folder.iterdir():
        set_mtime(path, max(f.delivered_s for f in gt.files))
