"""Backtest of the month-end forecast: the SQL method of marts.fct_cost_forecast against other
methods, on the same scopes, days and truth.

For every month loaded to its last day, every scope (provider x sub account x service category,
and owner) with at least 28 days of history, and the 5th, 10th and 20th day of the month, each
method forecasts the month's amortized cost with the data up to that day; the truth is what the
month then cost. Reported per method, kind of scope and day: WAPE (Σ |forecast - actual| /
Σ |actual|) and the share of scopes whose month fell inside the 80% and 95% intervals.

Methods:
- ``sql weekday run rate``: read from marts.fct_cost_forecast (the mart's own method:
  macros/forecast/run_rate_forecast.sql);
- ``flat 7-day run rate``: actual to date + the mean usage cost of the last 7 days for every
  remaining day (+ nothing for fees: none post after the 1st), a normal interval from the
  last 28 days' spread;
- ``AutoETS``: statsforecast's AutoETS (weekly season) fitted on each scope's daily usage cost up
  to the day, its mean over the remaining days + actual to date; the interval of the sum is the
  sum of the daily bounds (errors of an ETS forecast are strongly correlated from day to day).
  Only when statsforecast is importable: it is not a project dependency, so run this script
  with a Python that has it (a throwaway virtualenv with ``pip install statsforecast duckdb``).

    .venv/bin/python benchmarks/forecast_backtest.py --warehouse .finops/warehouse.duckdb
    /tmp/sf/bin/python benchmarks/forecast_backtest.py --warehouse /tmp/w4.duckdb --json out.json

Build the warehouse first (``finops generate --months 4 --out DIR`` then ``finops run``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from collections import defaultdict
from pathlib import Path

import duckdb

AS_OF_DAYS = (5, 10, 20)
WINDOW = 28
Z80, Z95 = 1.2816, 1.96

SERIES_SQL = """
select 'service category' as scope_type,
       ProviderName || ' | ' || coalesce(SubAccountId, '-') || ' | '
       || coalesce(ServiceCategory, '-') as scope, BillingCurrency as currency,
       cast(ChargePeriodStart as date) as day,
       sum(EffectiveCost) as cost,
       sum(case when ChargeCategory = 'Usage' then EffectiveCost else 0 end) as usage
from marts.fct_cost_and_usage group by all
union all
select 'owner', 'owner | ' || Owner, BillingCurrency, ChargePeriodStart,
       sum(AllocatedEffectiveCost),
       sum(case when ChargeCategory = 'Usage' then AllocatedEffectiveCost else 0 end)
from marts.fct_cost_allocation group by all
"""


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def load(warehouse: Path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        series: dict[tuple, dict[dt.date, tuple[float, float]]] = defaultdict(dict)
        for scope_type, scope, currency, day, cost, usage in con.execute(SERIES_SQL).fetchall():
            series[(scope_type, scope, currency)][day] = (float(cost), float(usage))
        complete = max(
            r[0]
            for r in con.execute(
                "select ChargeDay from intermediate.int_charge_days_complete"
            ).fetchall()
        )
        sql_rows = con.execute(
            "select ScopeType, ScopeKey, BillingCurrency, AsOfDate, Forecast, ForecastLower80, "
            "ForecastUpper80, ForecastLower95, ForecastUpper95 from marts.fct_cost_forecast "
            "where MonthsAhead = 0 and ForecastStatus = 'forecast' and day(AsOfDate) in (5, 10, 20)"
        ).fetchall()
    sql = {(t, s, c, d): tuple(float(x) for x in rest) for t, s, c, d, *rest in sql_rows}
    return series, complete, sql


def cases(series, complete: dt.date):
    """(key, as_of, history days, daily (cost, usage) up to as_of, month's truth) to forecast."""
    months = sorted({d.replace(day=1) for days in series.values() for d in days})
    for key, days in series.items():
        first = min(days)
        for month in months:
            if month_end(month) > complete:
                continue
            truth = sum(c for d, (c, _) in days.items() if month <= d <= month_end(month))
            for n in AS_OF_DAYS:
                as_of = month.replace(day=n)
                if (as_of - first).days + 1 < WINDOW:
                    continue
                yield key, month, as_of, days, truth


def window(days, as_of: dt.date, length: int) -> list[float]:
    return [days.get(as_of - dt.timedelta(days=k), (0.0, 0.0))[1] for k in range(length)]


def flat_run_rate(days, month: dt.date, as_of: dt.date):
    actual = sum(c for d, (c, _) in days.items() if month <= d <= as_of)
    remaining = (month_end(month) - as_of).days
    last7 = window(days, as_of, 7)
    rate = sum(last7) / 7
    last28 = window(days, as_of, WINDOW)
    mean = sum(last28) / WINDOW
    sigma = math.sqrt(sum((x - mean) ** 2 for x in last28) / (WINDOW - 1))
    spread = sigma * math.sqrt(remaining + remaining * remaining / 7)
    point = actual + rate * remaining
    return (
        point,
        point - Z80 * spread,
        point + Z80 * spread,
        point - Z95 * spread,
        point + Z95 * spread,
    )


def auto_ets(days, month: dt.date, as_of: dt.date):
    import numpy as np
    from statsforecast.models import AutoETS

    actual = sum(c for d, (c, _) in days.items() if month <= d <= as_of)
    remaining = (month_end(month) - as_of).days
    first = min(days)
    y = np.array(
        [
            days.get(first + dt.timedelta(days=k), (0.0, 0.0))[1]
            for k in range((as_of - first).days + 1)
        ]
    )
    if remaining == 0:
        return (actual,) * 5
    fc = AutoETS(season_length=7).forecast(y=y, h=remaining, level=[80, 95])
    point = actual + float(fc["mean"].sum())
    return (
        point,
        actual + float(fc["lo-80"].sum()),
        actual + float(fc["hi-80"].sum()),
        actual + float(fc["lo-95"].sum()),
        actual + float(fc["hi-95"].sum()),
    )


def score(results):
    """results: (method, scope_type, day, forecast tuple, truth) -> per (method, type, day)."""
    totals = defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
    for method, scope_type, day, (point, lo80, hi80, lo95, hi95), truth in results:
        t = totals[(method, scope_type, day)]
        t[0] += 1
        t[1] += abs(point - truth)
        t[2] += abs(truth)
        t[3] += lo80 - 1e-6 <= truth <= hi80 + 1e-6
        t[4] += lo95 - 1e-6 <= truth <= hi95 + 1e-6
    return [
        {
            "method": method,
            "scope_type": scope_type,
            "as_of_day": day,
            "forecasts": n,
            "wape": round(err / act, 4) if act else None,
            "coverage80": round(in80 / n, 3),
            "coverage95": round(in95 / n, 3),
        }
        for (method, scope_type, day), (n, err, act, in80, in95) in sorted(totals.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    series, complete, sql = load(args.warehouse)
    try:
        import statsforecast  # noqa: F401

        methods = {"flat 7-day run rate": flat_run_rate, "AutoETS": auto_ets}
    except ImportError:
        methods = {"flat 7-day run rate": flat_run_rate}
        print("statsforecast is not installed: AutoETS left out")
    results, seconds = [], defaultdict(float)
    for key, month, as_of, days, truth in cases(series, complete):
        scope_type = key[0]
        results.append(("sql weekday run rate", scope_type, as_of.day, sql[(*key, as_of)], truth))
        for name, method in methods.items():
            started = time.perf_counter()
            results.append((name, scope_type, as_of.day, method(days, month, as_of), truth))
            seconds[name] += time.perf_counter() - started
    table = score(results)
    print("| method | scope | day | forecasts | WAPE | in 80% | in 95% |")
    print("|---|---|---|---|---|---|---|")
    for r in table:
        print(
            f"| {r['method']} | {r['scope_type']} | {r['as_of_day']} | {r['forecasts']} | "
            f"{r['wape']} | {r['coverage80']} | {r['coverage95']} |"
        )
    print("seconds per method (Python methods only): " + json.dumps(dict(seconds)))
    if args.json:
        args.json.write_text(json.dumps({"results": table, "seconds": seconds}, indent=2))


if __name__ == "__main__":
    main()
