"""Forecasts, budgets and variance on the generated demo (two months, seed 7), each against a
figure computed here from the ledger or the FOCUS rows or recorded by the generator, never read
from the mart under test: budget spend ties to fct_cost_allocation / fct_cost_and_usage,
thresholds fire on the days the generator's daily costs reach them, an expiring commitment adds
its on-demand difference, a forecast is silent without a billing cycle of history and otherwise
equals the run rate recomputed here, and the variance parts sum exactly to the change."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import duckdb
import pytest

from finops_warehouse.locations import PROJECT_DIR

TEN_DECIMALS = Decimal("0.0000000001")
SEEDS = PROJECT_DIR / "seeds" / "budgets"
LEDGER_SCOPES = {"owner": "Owner", "team": "Team", "cost center": "CostCenter"}
LEDGER_SCOPES["business unit"] = "BusinessUnit"
CHARGE_SCOPES = {"all": None, "billing account": "BillingAccountId", "service": "ServiceName"}


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def query(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def daily_spend(con, budget: dict[str, str]) -> dict[dt.date, Decimal]:
    """The budget's scope per charge day, from the ledger for owner scopes and from the FOCUS
    rows for charge scopes (all, billing account, service)."""
    basis = budget["cost_basis"] == "billed"
    if budget["scope_type"] in LEDGER_SCOPES:
        column = LEDGER_SCOPES[budget["scope_type"]]
        cost = "AllocatedBilledCost" if basis else "AllocatedEffectiveCost"
        rows = con.execute(
            f"select ChargePeriodStart, sum({cost}) from marts.fct_cost_allocation "
            f"where BillingCurrency = ? and {column} = ? group by all",
            [budget["currency"], budget["scope_value"]],
        ).fetchall()
    else:
        column = CHARGE_SCOPES[budget["scope_type"]]
        cost = "BilledCost" if basis else "EffectiveCost"
        where = f"and {column} = ?" if column else ""
        params = [budget["currency"]] + ([budget["scope_value"]] if column else [])
        rows = con.execute(
            f"select cast(ChargePeriodStart as date), sum({cost}) from marts.fct_cost_and_usage "
            f"where BillingCurrency = ? {where} group by all",
            params,
        ).fetchall()
    return dict(rows)


def test_budget_spend_ties_to_the_ledger_and_the_focus_rows(warehouse):
    budgets = seed_rows("budgets")
    assert {b["scope_type"] for b in budgets} >= set(LEDGER_SCOPES) | set(CHARGE_SCOPES)
    status = query(warehouse, "select * from marts.fct_budget_status")
    assert {r["BudgetId"] for r in status} == {b["budget_id"] for b in budgets}
    for budget in budgets:
        days = daily_spend(warehouse, budget)
        rows = [r for r in status if r["BudgetId"] == budget["budget_id"]]
        assert rows, budget
        for r in rows:
            start = period_start(r["AsOfDate"], budget["period"])
            expected = sum(
                (cost for day, cost in days.items() if start <= day <= r["AsOfDate"]), Decimal(0)
            )
            assert r["PeriodStart"] == start
            assert r["ActualToDate"] == expected, (budget["budget_id"], r["AsOfDate"])
            assert r["BudgetAmount"] == Decimal(budget["amount"])


def first_day(rows: list[dict], reached) -> dt.date | None:
    return min((r["AsOfDate"] for r in rows if reached(r)), default=None)


def test_budgets_reach_their_thresholds_on_the_days_the_generator_recorded(demo_run, warehouse):
    """The budgets the generator sized on Skylight's daily costs: in every period, each actual
    threshold fires and the budget turns breached on the first day the generator's own running
    sum reaches it, never before; the one sized with room to spare is never breached."""
    *_, truth, _ = demo_run
    records = truth["budget_periods"]
    status = query(warehouse, "select * from marts.fct_budget_status")
    for rec in records:
        rows = [
            r
            for r in status
            if r["BudgetId"] == rec["budget_id"]
            and r["PeriodStart"] == dt.date.fromisoformat(rec["period_start"])
        ]
        assert rows, rec
        assert {r["BudgetAmount"] for r in rows} == {rec["amount"]}
        assert max(rows, key=lambda r: r["AsOfDate"])["ActualToDate"] == rec["spend"], rec
        for percent, day in rec["thresholds"].items():
            fired = first_day(
                rows,
                lambda r, p=Decimal(percent): (r["ActualThresholdPercent"] or 0) >= p,
            )
            assert fired == (day and dt.date.fromisoformat(day)), (rec, percent, fired)
        breached = first_day(rows, lambda r: r["AlertLevel"] == "breached")
        assert breached == (rec["breached_on"] and dt.date.fromisoformat(rec["breached_on"]))
        # Once breached, a budget stays breached for the rest of its period.
        if breached:
            assert all(r["AlertLevel"] == "breached" for r in rows if r["AsOfDate"] >= breached)
    # The demo holds what the test is about: a breach in the middle of the last month, after
    # the 50% and 80% alerts, and a budget that never breaks.
    last = next(
        rec
        for rec in records
        if rec["budget_id"] == "skylight-monthly"
        and rec["period_start"] == f"{truth['billing_periods'][-1]}-01"
    )
    assert 8 <= dt.date.fromisoformat(last["breached_on"]).day <= 25
    assert last["thresholds"]["50"] < last["thresholds"]["80"] < last["breached_on"]
    never = [rec for rec in records if rec["budget_id"] == "skylight-yearly"]
    assert never and all(rec["breached_on"] is None for rec in never)
    assert not [
        r for r in status if r["BudgetId"] == "skylight-yearly" and r["AlertLevel"] == "breached"
    ]


def test_a_breached_budget_is_a_warning_in_the_run_summary(demo_run):
    """skylight-monthly is over budget at the end of the demo: the warning check fails (a
    warning, the run still succeeds) and the summary names the budget with its figures."""
    *_, truth, run = demo_run
    assert run.returncode == 0
    check = [line for line in run.stdout.splitlines() if "assert_no_budget_breached" in line]
    assert len(check) == 1 and "warning" in check[0], run.stdout
    budgets = [line for line in run.stdout.splitlines() if "warning budget " in line]
    assert len(budgets) == 1 and "budget skylight-monthly breached" in budgets[0], run.stdout
    august = next(
        rec
        for rec in truth["budget_periods"]
        if rec["budget_id"] == "skylight-monthly" and rec["period_start"] == "2026-08-01"
    )
    figures = f"{august['spend']:,.2f} of {august['amount']:,.2f} USD spent in the month from"
    assert figures in budgets[0], budgets[0]


def test_an_expiring_commitment_moves_its_covered_usage_to_on_demand_rates(demo_run, warehouse):
    """The reservation the generator ends inside the forecast horizon: as of the latest day,
    every month ahead gets, for each of its days from the end date on, what a day of the covered
    usage costs on demand minus what it costs with the commitment (the generator's rates), on
    the covered account's Compute and on the covered resource's owner; nothing before."""
    *_, truth, _ = demo_run
    (expiring,) = truth["expiring_commitments"]
    end = dt.date.fromisoformat(expiring["end"][:10])
    daily = expiring["on_demand_per_day"] - expiring["amortized_per_day"]
    assert daily > 0
    scopes = [
        f"{expiring['provider']} | {expiring['sub_account_id']} | Compute",
        f"owner | {expiring['team']}",
    ]
    rows = query(
        warehouse,
        "select ScopeKey, AsOfDate, ForecastMonth, MonthsAhead, CommitmentExpiryAdjustment "
        "from marts.fct_cost_forecast where BillingCurrency = ? and ScopeKey in (?, ?) "
        "and ForecastStatus = 'forecast'",
        expiring["currency"],
        *scopes,
    )
    latest = max(r["AsOfDate"] for r in rows)
    assert latest < end <= latest + dt.timedelta(days=92)
    ahead = [r for r in rows if r["AsOfDate"] == latest and r["MonthsAhead"] > 0]
    assert {r["ScopeKey"] for r in ahead} == set(scopes)
    assert len(ahead) == 6
    for r in ahead:
        month, following = r["ForecastMonth"], next_month(r["ForecastMonth"])
        days = max(0, (following - max(month, end)).days)
        expected = (days * daily).quantize(Decimal("0.01"))
        assert r["CommitmentExpiryAdjustment"].quantize(Decimal("0.01")) == expected, r
    assert any(r["CommitmentExpiryAdjustment"] > 0 for r in ahead)
    assert all(r["CommitmentExpiryAdjustment"] == 0 for r in rows if r["AsOfDate"] < latest)


def test_no_forecast_without_one_billing_cycle_of_history(warehouse):
    rows = query(
        warehouse,
        "select HistoryDays, Forecast, ForecastLower80, ForecastStatus, ForecastReason "
        "from marts.fct_cost_forecast",
    )
    short = [r for r in rows if r["HistoryDays"] < 28]
    long = [r for r in rows if r["HistoryDays"] >= 28]
    assert short and long
    for r in short:
        assert r["Forecast"] is None and r["ForecastLower80"] is None, r
        assert r["ForecastStatus"] == "insufficient history", r
        assert f"{r['HistoryDays']} of 28 days" in r["ForecastReason"], r
    for r in long:
        assert r["Forecast"] is not None and r["ForecastStatus"] == "forecast", r


def test_month_end_forecast_on_the_last_day_is_the_month_from_the_focus_rows(warehouse):
    months = {
        (provider, account, category, currency, month): cost
        for provider, account, category, currency, month, cost in warehouse.execute(
            "select ProviderName, coalesce(SubAccountId, '-'), coalesce(ServiceCategory, '-'), "
            "BillingCurrency, date_trunc('month', ChargePeriodStart)::date, sum(EffectiveCost) "
            "from marts.fct_cost_and_usage group by all"
        ).fetchall()
    }
    last_days = query(
        warehouse,
        "select * from marts.fct_cost_forecast where ScopeType = 'service category' "
        "and MonthsAhead = 0 and ForecastStatus = 'forecast' "
        "and AsOfDate = last_day(ForecastMonth)",
    )
    assert len(last_days) > 20
    for r in last_days:
        key = (
            r["ProviderName"],
            r["SubAccountId"] or "-",
            r["ServiceCategory"] or "-",
            r["BillingCurrency"],
            r["ForecastMonth"],
        )
        assert r["RemainingDays"] == 0
        assert r["Forecast"] == r["ActualToDate"] == months[key], key


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def test_forecast_is_actual_plus_the_weekday_run_rate_recomputed_here(warehouse):
    """The owner search, month-end forecast as of the 10th of the last month and next month's
    forecast as of the latest day: actual to date + for each remaining day the mean usage cost
    of its weekday over the 28 days ending the as-of day (without a spike); a month ahead
    starts from the as-of month's fees and tax to date (they post on the first)."""
    rows = query(
        warehouse,
        "select * from marts.fct_cost_forecast where Owner = 'search' and BillingCurrency = 'USD' "
        "and ForecastStatus = 'forecast'",
    )
    latest = max(r["AsOfDate"] for r in rows)
    assert {r["MonthsAhead"] for r in rows if r["AsOfDate"] == latest} == {0, 1, 2, 3}
    assert {r["MonthsAhead"] for r in rows if r["AsOfDate"] < latest} == {0}
    ledger = warehouse.execute(
        "select ChargePeriodStart, ChargeCategory, sum(AllocatedEffectiveCost) "
        "from marts.fct_cost_allocation where Owner = 'search' and BillingCurrency = 'USD' "
        "group by all"
    ).fetchall()
    usage, recurring, every = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    for day, category, cost in ledger:
        every[day] += cost
        usage[day] += cost if category == "Usage" else 0
        recurring[day] += cost if category in ("Purchase", "Tax") else 0

    def rates(as_of: dt.date) -> dict[int, Decimal]:
        window = [as_of - dt.timedelta(days=n) for n in range(28)]
        rate = {}
        for weekday in range(7):
            values = [usage[d] for d in window if d.weekday() == weekday]
            highest, rest = max(values), sum(values) - max(values)
            # A spike (the highest day over 1.5 x the mean of the other three) is left out.
            spike = rest > 0 and highest > Decimal("1.5") * rest / 3
            # A rate is money (10 decimals): the 3-day mean truncated, the 4-day mean rounded.
            mean = (rest / 3).quantize(TEN_DECIMALS, ROUND_DOWN) if spike else sum(values) / 4
            rate[weekday] = mean.quantize(TEN_DECIMALS, ROUND_HALF_UP)
        return rate

    def run_rate(as_of: dt.date, first: dt.date, end: dt.date) -> Decimal:
        rate = rates(as_of)
        days = [first + dt.timedelta(days=n) for n in range((end - first).days)]
        return sum((rate[d.weekday()] for d in days), Decimal(0))

    def to_date(series: dict, as_of: dt.date) -> Decimal:
        return sum((c for d, c in series.items() if as_of.replace(day=1) <= d <= as_of), Decimal(0))

    tenth = latest.replace(day=10)
    following = next_month(latest)
    expected = {
        (tenth, 0): to_date(every, tenth)
        + run_rate(tenth, tenth + dt.timedelta(days=1), next_month(tenth)),
        (latest, 1): to_date(recurring, latest)
        + run_rate(latest, following, next_month(following)),
    }
    by_key = {(r["AsOfDate"], r["MonthsAhead"]): r for r in rows}
    for key, value in expected.items():
        r = by_key[key]
        assert r["CommitmentExpiryAdjustment"] == 0  # the demo's expiring RI ends in October
        assert r["Forecast"] == value, (key, r, value)
        assert r["ForecastLower95"] <= r["ForecastLower80"] <= r["Forecast"]
        assert r["Forecast"] <= r["ForecastUpper80"] <= r["ForecastUpper95"]


def test_variance_parts_sum_exactly_to_the_change_and_match_a_recomputation(warehouse):
    rows = query(warehouse, "select * from marts.fct_cost_variance_monthly")
    assert len(rows) > 20
    for r in rows:
        assert r["PriceEffect"] + r["VolumeEffect"] + r["MixEffect"] == r["CostChange"], r
        assert r["CostChange"] == r["CurrentCost"] - r["PreviousCost"], r
    # Every service's months tie to the FOCUS rows, and its effects follow from its items.
    items: dict[tuple, dict[dt.date, tuple[Decimal, Decimal | None]]] = defaultdict(dict)
    for provider, service, currency, month, item, cost, quantity in warehouse.execute(
        "select ProviderName, coalesce(ServiceName, '-'), BillingCurrency, x_BillingPeriod, "
        "ChargeCategory || coalesce(SkuPriceId, SkuId, ChargeDescription, '-') "
        "|| coalesce(PricingUnit, '-') || coalesce(RegionId, '-'), "
        "sum(EffectiveCost), sum(PricingQuantity) from marts.fct_cost_and_usage group by all"
    ).fetchall():
        items[(provider, service, currency, item)][month] = (cost, quantity)
    for r in rows:
        scope = (r["ProviderName"], r["ServiceName"], r["BillingCurrency"])
        volume = mix = previous = current = Decimal(0)
        for key, months in items.items():
            if key[:3] != scope:
                continue
            c0, q0 = months.get(r["PreviousMonth"], (Decimal(0), None))
            c1, q1 = months.get(r["BillingMonth"], (Decimal(0), None))
            previous, current = previous + c0, current + c1
            both = r["PreviousMonth"] in months and r["BillingMonth"] in months
            if not both:
                mix += c1 - c0
            elif q0 and q1 is not None:
                price0 = (c0 / q0).quantize(TEN_DECIMALS, rounding="ROUND_DOWN")
                volume += (price0 * (q1 - q0)).quantize(TEN_DECIMALS, ROUND_HALF_UP)
        assert (r["PreviousCost"], r["CurrentCost"]) == (previous, current), scope
        assert (r["VolumeEffect"], r["MixEffect"]) == (volume, mix), scope
