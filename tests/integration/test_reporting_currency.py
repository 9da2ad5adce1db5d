"""The reporting currency: amounts converted at the month's rate beside the billing-currency ones
(showback, KPIs, the report's summary), rates read from the ECB's file and a plain monthly file,
and a missing rate that stops the build naming the month and the pair.

Rates are ground truth read here from the rate files themselves (the demo's seed, the files
written at test time), never from the models.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_runs import run_dbt

from finops_warehouse.ingest.formats import ECB_CURRENCIES
from finops_warehouse.locations import PROJECT_DIR

SEED = PROJECT_DIR / "seeds" / "currency" / "exchange_rates_demo.csv"
CENT = Decimal("0.005")  # two amounts are equal to the cent when they differ by less


def seed_rates_to_usd() -> dict[tuple[dt.date, str], Decimal]:
    """(month, currency) -> units of USD per unit, from the demo seed's USD -> X rows."""
    with SEED.open(newline="") as f:
        return {
            (dt.date.fromisoformat(f"{r['month']}-01"), r["to"]): 1 / Decimal(r["rate"])
            for r in csv.DictReader(f)
            if r["from"] == "USD"
        }


def rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture(scope="module")
def warehouse(demo_run) -> Path:
    home, _env, _root, _truth, first = demo_run
    assert first.returncode == 0, f"the shared demo run failed:\n{first.stdout}\n{first.stderr}"
    return home / "warehouse.duckdb"


def test_showback_in_usd_is_the_amount_times_the_seed_rate_to_the_cent(warehouse):
    rates = seed_rates_to_usd()
    showback = rows(warehouse, "select * from marts.fct_showback_monthly")
    assert {r["BillingCurrency"] for r in showback} == {"EUR", "USD"}
    for r in showback:
        assert r["ReportingCurrency"] == "USD"
        if r["BillingCurrency"] == "USD":
            # Same currency: rate 1, explicitly, and the amounts as they are.
            assert r["ExchangeRate"] == 1
            assert r["BilledCostInReportingCurrency"] == r["BilledCost"]
            continue
        rate = rates[(r["BillingPeriodStart"], r["BillingCurrency"])]
        assert abs(r["ExchangeRate"] - rate) < Decimal("1e-9")
        assert r["ExchangeRateDate"] == r["BillingPeriodStart"]  # a monthly rate: its month
        assert abs(r["BilledCostInReportingCurrency"] - r["BilledCost"] * rate) < CENT
        assert abs(r["EffectiveCostInReportingCurrency"] - r["EffectiveCost"] * rate) < CENT
    eur = [r for r in showback if r["BillingCurrency"] == "EUR"]
    assert eur and all(
        r["BilledCostInReportingCurrency"] != r["BilledCost"] for r in eur if r["BilledCost"]
    )


def test_kpi_amounts_are_converted_and_ratios_are_not(warehouse):
    rates = seed_rates_to_usd()
    kpis = rows(warehouse, "select * from marts.kpi_finops_monthly where BillingCurrency = 'EUR'")
    assert {k["KpiUnit"] for k in kpis} >= {"ratio", "currency"}
    for k in kpis:
        rate = rates[(k["BillingPeriodStart"], "EUR")]
        if k["KpiUnit"] == "ratio":
            assert k["KpiValueInReportingCurrency"] is None
        elif k["KpiValue"] is not None:
            assert abs(k["KpiValueInReportingCurrency"] - k["KpiValue"] * rate) < CENT


def test_report_summary_shows_group_currency_totals_with_the_rates(warehouse):
    from finops_warehouse.report.formatting import money
    from finops_warehouse.report.sections import Scope, summary

    rates = seed_rates_to_usd()
    month = max(
        r["BillingMonth"]
        for r in rows(warehouse, "select distinct BillingMonth from marts.fct_showback_monthly")
    )
    totals = rows(
        warehouse,
        "select BillingCurrency, sum(BilledCost) as billed from marts.fct_showback_monthly "
        f"where BillingMonth = date '{month}' group by all",
    )
    expected = sum(
        t["billed"] * (rates[(month, "EUR")] if t["BillingCurrency"] == "EUR" else 1)
        for t in totals
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        section = summary(Scope(con, month, (month - dt.timedelta(days=1)).replace(day=1)))
    figures = {f.key: f.value for f in section.figures}
    assert figures["group-billed-USD"] == money(expected, "USD")
    (table,) = [t for t in section.tables if t.id == "group-currency"]
    by_currency = {row[0]: row for row in table.rows}
    assert by_currency["EUR"][1] == f"1 EUR = {rates[(month, 'EUR')]:.6f} USD"
    assert by_currency["USD"][1] == "1 USD = 1.000000 USD"
    assert by_currency["Total"][4] == money(expected, "USD")


def ecb_file(path: Path, quotes: dict[str, dict[str, str]]) -> Path:
    """An eurofxref-hist.csv: newest day first, N/A where a currency has no quote, and the
    trailing comma the ECB writes on every line."""
    lines = ["Date," + ",".join(ECB_CURRENCIES) + ","]
    for day in sorted(quotes, reverse=True):
        lines.append(day + "," + ",".join(quotes[day].get(c, "N/A") for c in ECB_CURRENCIES) + ",")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_rate_files_are_read_and_a_missing_rate_stops_the_build_naming_month_and_pair(
    close_home, tmp_path
):
    from finops_warehouse.ingest import ingest

    landing = tmp_path / "rates"
    ecb_file(
        landing / "eurofxref-hist.csv",
        {
            "2026-07-29": {"GBP": "0.8700"},  # USD not quoted that day
            "2026-07-30": {"USD": "1.1500", "GBP": "0.8600"},
            "2026-07-31": {"USD": "1.1600", "GBP": "0.8500", "JPY": "170.12"},
        },
    )
    (landing / "finance-rates.csv").write_text("month,from,to,rate\n2026-07, chf ,GBP,0.9\n")
    report = ingest(close_home.warehouse, str(landing), tmp_path / "quarantine")
    assert sorted((f.format, f.status) for f in report.files) == [
        ("ecb_rates", "loaded"),
        ("exchange_rates", "loaded"),
    ]

    # Report in GBP at closing rates: July has them (ECB), August has none.
    env = {
        **os.environ,
        **close_home.env,
        "FINOPS_REPORTING_CURRENCY": "GBP",
        "FINOPS_EXCHANGE_RATE_POLICY": "closing",
    }
    done = run_dbt(
        [
            "run",
            "--select",
            "stg_ecb_rates__daily_rates stg_exchange_rates__monthly_rates "
            "int_exchange_rates_monthly int_exchange_rates_to_reporting kpi_finops_monthly",
        ],
        env=env,
        work=tmp_path,
    )
    assert done.returncode != 0
    assert re.search(
        r"no exchange rate for billing month 2026-08: (EUR|USD) -> GBP \(policy closing\)",
        done.stdout,
    ), done.stdout[-3000:]

    daily = rows(
        close_home.warehouse,
        "select cast(rate_date as varchar) as d, quote_currency as c, rate "
        "from staging.stg_ecb_rates__daily_rates",
    )
    assert sorted((r["d"], r["c"], r["rate"]) for r in daily) == [
        ("2026-07-29", "GBP", Decimal("0.87")),
        ("2026-07-30", "GBP", Decimal("0.86")),
        ("2026-07-30", "USD", Decimal("1.15")),
        ("2026-07-31", "GBP", Decimal("0.85")),
        ("2026-07-31", "JPY", Decimal("170.12")),
        ("2026-07-31", "USD", Decimal("1.16")),
    ]
    monthly = rows(
        close_home.warehouse,
        "select from_currency, to_currency, rate from staging.stg_exchange_rates__monthly_rates",
    )
    assert monthly == [{"from_currency": "CHF", "to_currency": "GBP", "rate": Decimal("0.9")}]

    to_gbp = {
        r["FromCurrency"]: r
        for r in rows(
            close_home.warehouse,
            "select * from intermediate.int_exchange_rates_to_reporting "
            "where RateMonth = date '2026-07-01'",
        )
    }
    assert to_gbp["EUR"]["ExchangeRate"] == Decimal("0.85")  # closing: 31 July
    # USD -> GBP = (EUR -> GBP) / (EUR -> USD), both of 31 July, truncated to 10 decimals.
    cross = (Decimal("0.85") / Decimal("1.16")).quantize(Decimal("1e-10"), ROUND_DOWN)
    assert to_gbp["USD"]["ExchangeRate"] == cross
    assert to_gbp["USD"]["ExchangeRateMethod"] == "through EUR"
    assert str(to_gbp["USD"]["ExchangeRateDate"]) == "2026-07-31"
    assert to_gbp["CHF"]["ExchangeRate"] == Decimal("0.9")  # the file's own pair
