"""The company's budgets come from the generator: the committed seeds are byte for byte what it
writes for the demo, and the days it records for a sized budget are those on which the running
sum of its own daily costs reaches each threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finops_warehouse.locations import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds" / "budgets"


def test_committed_budget_seeds_are_what_the_generator_writes_for_the_demo(generator_demo):
    root, _ = generator_demo
    for name in ("budgets.csv", "budget_thresholds.csv"):
        assert (root / "budgets" / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_recorded_threshold_days_are_where_the_daily_costs_reach_them(generator_demo):
    _, truth = generator_demo
    daily = {
        dt.date.fromisoformat(d["date"]): d["cost"]
        for d in truth["daily_costs"]
        if d["billing_account_id"] == "SKY-004217"
    }
    monthly = [r for r in truth["budget_periods"] if r["budget_id"] == "skylight-monthly"]
    assert [r["period_start"] for r in monthly] == [f"{p}-01" for p in truth["billing_periods"]]
    for rec in monthly:
        start = dt.date.fromisoformat(rec["period_start"])
        days = sorted(d for d in daily if d.replace(day=1) == start)
        assert rec["spend"] == sum(daily[d] for d in days)
        for percent, first in {**rec["thresholds"], "100": rec["breached_on"]}.items():
            target = rec["amount"] * Decimal(percent) / 100
            running = [sum(daily[e] for e in days if e <= d) for d in days]
            reached = [d for d, total in zip(days, running, strict=True) if total >= target]
            assert first == (reached[0].isoformat() if reached else None), (rec, percent)
    # Sized on the last month: reached on its 15th, not on the 14th.
    last = monthly[-1]
    assert last["breached_on"] == f"{truth['billing_periods'][-1]}-15"
    yearly = [r for r in truth["budget_periods"] if r["budget_id"] == "skylight-yearly"]
    assert yearly and all(r["breached_on"] is None for r in yearly)
    assert all(r["amount"] >= 2 * sum(c for c in daily.values() if c > 0) for r in yearly)
