"""The report's sections: each one function from the warehouse to a `Section` of headline
figures, charts and tables, formatted as finance reads them.

A section that needs a mart the warehouse does not have returns None and the page leaves it
out; a new section (anomalies, budget, forecast) is one more function in `SECTIONS`.
Money is grouped by currency everywhere: a table row, a figure and a chart hold one currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

import duckdb

from finops_warehouse.report import queries as q
from finops_warehouse.report.charts import Chart, Series, bars, gauge_bars, lines
from finops_warehouse.report.formatting import NONE, money, number, percent


@dataclass(frozen=True)
class Figure:
    """A headline number; `key` names it in the page (data-figure) for tests and readers."""

    key: str
    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    # Right-aligned columns: amounts, counts, ratios.
    numeric: frozenset[str] = frozenset()


@dataclass
class Section:
    id: str
    title: str
    intro: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """What every section is asked about: the warehouse, the month and the month before."""

    con: duckdb.DuckDBPyConnection
    month: dt.date
    previous: dt.date


def _by_currency(rows: Iterable[q.Record]) -> dict[str, list[q.Record]]:
    ordered = sorted(rows, key=lambda r: str(r["BillingCurrency"]))
    return {c: list(g) for c, g in groupby(ordered, key=lambda r: str(r["BillingCurrency"]))}


def _change(now: Decimal, before: Decimal, currency: str) -> str:
    if before == 0:
        return f"{money(now - before, currency)} (new)" if now else money(Decimal(0), currency)
    return f"{money(now - before, currency)} ({percent((now - before) / abs(before))})"


def summary(s: Scope) -> Section:
    section = Section(
        "summary",
        "Summary",
        "Billed cost (what the invoices charge) and amortized cost (EffectiveCost: upfront and "
        "recurring commitment fees spread over the usage they cover), per billing currency, "
        f"against {s.previous:%B %Y}.",
    )
    for t in q.spend_totals(s.con, s.month, s.previous):
        c = str(t["BillingCurrency"])
        section.figures += [
            Figure(f"billed-{c}", f"Billed cost ({c})", money(t["BilledCost"], c)),
            Figure(
                f"amortized-{c}",
                f"Amortized cost ({c})",
                money(t["EffectiveCost"], c),
                f"vs {s.previous:%b %Y}: "
                + _change(t["EffectiveCost"], t["PreviousEffectiveCost"], c),
            ),
        ]
    providers = q.spend_by_provider(s.con, s.month, s.previous)
    section.tables.append(
        Table(
            "spend-by-provider",
            "Billed and amortized cost by provider",
            ("Provider", "Currency", "Billed", "Amortized", "Amortized last month", "Change"),
            [
                (
                    str(r["ProviderName"]),
                    c := str(r["BillingCurrency"]),
                    money(r["BilledCost"], c),
                    money(r["EffectiveCost"], c),
                    money(r["PreviousEffectiveCost"], c),
                    _change(r["EffectiveCost"], r["PreviousEffectiveCost"], c),
                )
                for r in providers
            ],
            frozenset({"Billed", "Amortized", "Amortized last month", "Change"}),
        )
    )
    for c, rows in _by_currency(providers).items():
        names = [str(r["ProviderName"]) for r in rows]
        section.charts.append(
            bars(
                f"chart-provider-{c}",
                f"Billed vs amortized by provider, {c}",
                c,
                [
                    Series("Billed", names, [r["BilledCost"] for r in rows]),
                    Series("Amortized", names, [r["EffectiveCost"] for r in rows]),
                ],
            )
        )
    for c, rows in _by_currency(q.monthly_trend(s.con, s.month)).items():
        months = [f"{r['BillingMonth']:%Y-%m}" for r in rows]
        section.charts.append(
            lines(
                f"chart-trend-{c}",
                f"Month over month, {c}",
                c,
                [
                    Series("Billed", months, [r["BilledCost"] for r in rows]),
                    Series("Amortized", months, [r["EffectiveCost"] for r in rows]),
                ],
                months=True,
            )
        )
    services = q.spend_by_service(s.con, s.month)
    section.tables.append(
        Table(
            "spend-by-service",
            "Billed and amortized cost by service",
            ("Provider", "Service", "Currency", "Billed", "Amortized"),
            [
                (
                    str(r["ProviderName"]),
                    str(r["ServiceName"]),
                    c := str(r["BillingCurrency"]),
                    money(r["BilledCost"], c),
                    money(r["EffectiveCost"], c),
                )
                for r in services
            ],
            frozenset({"Billed", "Amortized"}),
        )
    )
    _group_currency(s, section)
    return section


def _group_currency(s: Scope, section: Section) -> None:
    """The month in the reporting (group) currency: each billing currency's totals converted at
    the month's rate, the rate and its date shown, and their sum (docs/currency.md)."""
    rows = q.reporting_currency_totals(s.con, s.month)
    if not rows:
        return
    g = str(rows[0]["ReportingCurrency"])
    billed = sum((r["BilledCostInReportingCurrency"] for r in rows), Decimal(0))
    amortized = sum((r["EffectiveCostInReportingCurrency"] for r in rows), Decimal(0))
    section.figures += [
        Figure(f"group-billed-{g}", f"Billed cost, group currency ({g})", money(billed, g)),
        Figure(
            f"group-amortized-{g}", f"Amortized cost, group currency ({g})", money(amortized, g)
        ),
    ]
    table_rows = [
        (
            c := str(r["BillingCurrency"]),
            f"1 {c} = {number(r['ExchangeRate'], 6)} {g}",
            f"{r['ExchangeRateDate']:%Y-%m-%d}",
            money(r["BilledCost"], c),
            money(r["BilledCostInReportingCurrency"], g),
            money(r["EffectiveCost"], c),
            money(r["EffectiveCostInReportingCurrency"], g),
        )
        for r in rows
    ]
    table_rows.append(("Total", "", "", "", money(billed, g), "", money(amortized, g)))
    section.tables.append(
        Table(
            "group-currency",
            f"In the group currency ({g}), at each month's rate",
            (
                "Currency",
                "Rate",
                "Rate date",
                "Billed",
                f"Billed ({g})",
                "Amortized",
                f"Amortized ({g})",
            ),
            table_rows,
            frozenset({"Rate", "Billed", f"Billed ({g})", "Amortized", f"Amortized ({g})"}),
        )
    )
    section.notes.append(
        f"Group-currency amounts ({g}) convert each billing currency at its month's rate "
        "(policy and sources: docs/currency.md); the amounts above stay in their billing currency."
    )


def top_movers(s: Scope) -> Section:
    section = Section(
        "top-movers",
        "Top movers and anomalies",
        f"The largest changes of amortized cost from {s.previous:%B %Y} to {s.month:%B %Y}, by "
        "service and by sub account (account, subscription or project), in each currency; then "
        "the month's cost anomalies.",
    )
    movers = q.top_movers(s.con, s.month, s.previous)
    for dimension, rows in groupby(movers, key=lambda r: r["Dimension"]):
        rows = list(rows)
        label = "Service" if dimension == "service" else "Sub account"
        section.tables.append(
            Table(
                f"movers-{dimension.replace(' ', '-')}",
                f"By {dimension}",
                ("Provider", label, "Currency", "Last month", "This month", "Change"),
                [
                    (
                        str(r["ProviderName"]),
                        str(r["Name"]),
                        c := str(r["BillingCurrency"]),
                        money(r["PreviousEffectiveCost"], c),
                        money(r["EffectiveCost"], c),
                        money(r["Change"], c),
                    )
                    for r in rows
                ],
                frozenset({"Last month", "This month", "Change"}),
            )
        )
        for c, of_currency in _by_currency(rows).items():
            section.charts.append(
                bars(
                    f"chart-movers-{dimension.replace(' ', '-')}-{c}",
                    f"Change by {dimension}, {c}",
                    c,
                    [
                        Series(
                            "Change",
                            [f"{r['Name']} ({r['ProviderName']})" for r in of_currency],
                            [r["Change"] for r in of_currency],
                        )
                    ],
                    horizontal=True,
                )
            )
    if not movers:
        section.notes.append("No service or sub account changed.")
    _anomalies(s, section)
    return section


def _anomalies(s: Scope, section: Section) -> None:
    """The month's cost anomalies (marts.fct_cost_anomaly, docs/anomalies.md) under the movers."""
    found = q.anomalies(s.con, s.month)
    if not found:
        section.notes.append("No cost anomaly in the month.")
        return
    section.tables.append(
        Table(
            "anomalies",
            "Cost anomalies (days above the expected daily cost)",
            (
                "Provider",
                "Service",
                "Sub account",
                "Owner",
                "Days",
                "Status",
                "Impact",
                "Impact %",
                "Explanation",
            ),
            [
                (
                    str(r["ProviderName"]),
                    str(r["ServiceName"]),
                    str(r["SubAccountId"]),
                    str(r["Owner"]),
                    f"{r['FirstDay']:%d %b} to {r['LastDay']:%d %b}",
                    str(r["Status"]),
                    money(r["Impact"], str(r["BillingCurrency"])),
                    percent(r["ImpactPercent"]),
                    str(r["Explanation"]),
                )
                for r in found
            ],
            frozenset({"Impact", "Impact %"}),
        )
    )


def rate_optimization(s: Scope) -> Section:
    section = Section(
        "rate-optimization",
        "Rate optimization",
        "Commitments (reserved instances, savings plans, committed use discounts): how much of "
        "each was used, how much eligible spend they covered, what they and negotiated rates "
        "saved against list prices, which expire soon and what to buy.",
    )
    utilization = q.commitment_utilization(s.con, s.month)
    if utilization:
        section.charts.append(
            gauge_bars(
                "chart-utilization",
                "Commitment utilization",
                [str(r["CommitmentName"]) for r in utilization],
                [r["Utilization"] or Decimal(0) for r in utilization],
            )
        )
    section.tables.append(
        Table(
            "utilization",
            "Utilization per commitment",
            ("#", "Provider", "Commitment", "Currency", "Used", "Unused", "Utilization"),
            [
                (
                    str(i),
                    str(r["ProviderName"]),
                    str(r["CommitmentName"]),
                    c := str(r["BillingCurrency"]),
                    money(r["UsedAmount"], c),
                    money(r["UnusedAmount"], c),
                    percent(r["Utilization"]),
                )
                for i, r in enumerate(utilization, start=1)
            ],
            frozenset({"#", "Used", "Unused", "Utilization"}),
        )
    )
    coverage = q.commitment_coverage(s.con, s.month)
    section.tables.append(
        Table(
            "coverage",
            "Coverage of commitment-eligible spend (on-demand equivalent)",
            ("Provider", "Currency", "Eligible", "Covered", "Coverage"),
            [
                (
                    str(r["ProviderName"]),
                    c := str(r["BillingCurrency"]),
                    money(r["EligibleCost"], c),
                    money(r["CoveredCost"], c),
                    percent(r["Coverage"]),
                )
                for r in coverage
            ],
            frozenset({"Eligible", "Covered", "Coverage"}),
        )
    )
    savings = q.commitment_savings(s.con, s.month)
    for r in savings:
        c, provider = str(r["BillingCurrency"]), str(r["ProviderName"])
        section.figures.append(
            Figure(
                f"esr-{provider}-{c}",
                f"Effective savings rate, {provider} ({c})",
                percent(r["EffectiveSavingsRate"]),
                f"saved {money(r['TotalSavings'], c)} of {money(r['ListCost'], c)} list",
            )
        )
    section.tables.append(
        Table(
            "savings",
            "Savings against list prices",
            (
                "Provider",
                "Currency",
                "List cost",
                "Amortized",
                "Negotiated savings",
                "Commitment savings",
                "Total savings",
                "Effective savings rate",
            ),
            [
                (
                    str(r["ProviderName"]),
                    c := str(r["BillingCurrency"]),
                    money(r["ListCost"], c),
                    money(r["EffectiveCost"], c),
                    money(r["NegotiatedSavings"], c),
                    money(r["CommitmentSavings"], c),
                    money(r["TotalSavings"], c),
                    percent(r["EffectiveSavingsRate"]),
                )
                for r in savings
            ],
            frozenset(
                {
                    "List cost",
                    "Amortized",
                    "Negotiated savings",
                    "Commitment savings",
                    "Total savings",
                    "Effective savings rate",
                }
            ),
        )
    )
    expiries = q.commitment_expiries(s.con)
    section.tables.append(
        Table(
            "expiries",
            "Commitments expiring within their window (days counted from the data's last day)",
            ("Provider", "Commitment", "Type", "Ends", "Days left", "Auto renew", "Covered, 30 d"),
            [
                (
                    str(r["ProviderName"]),
                    str(r["CommitmentName"]),
                    str(r["CommitmentDiscountType"]),
                    f"{r['CommitmentEnd']:%Y-%m-%d}",
                    number(r["DaysToExpiry"]),
                    "yes" if r["IsAutoRenew"] else "no",
                    money(r["CoveredCostLast30Days"], str(r["BillingCurrency"])),
                )
                for r in expiries
            ],
            frozenset({"Days left", "Covered, 30 d"}),
        )
    )
    recommendations = q.purchase_recommendations(s.con)
    section.tables.append(
        Table(
            "recommendations",
            "Purchase recommendation (hourly commitment that maximizes the expected net saving)",
            (
                "Provider",
                "Account",
                "Service",
                "Region",
                "Family",
                "Currency",
                "Hourly commitment",
                "Expected net savings",
                "Expected utilization",
            ),
            [
                (
                    str(r["ProviderName"]),
                    str(r["BillingAccountId"]),
                    str(r["ServiceName"]),
                    str(r["RegionId"] or ""),
                    str(r["InstanceFamily"] or ""),
                    c := str(r["BillingCurrency"]),
                    money(r["HourlyCommitment"], c),
                    money(r["ExpectedNetSavings"], c),
                    percent(r["ExpectedUtilization"]),
                )
                for r in recommendations
            ],
            frozenset({"Hourly commitment", "Expected net savings", "Expected utilization"}),
        )
    )
    return section


def allocation(s: Scope) -> Section:
    section = Section(
        "allocation",
        "Allocation",
        "Showback: amortized cost after the allocation rules and shared-cost pools, by cost "
        "center and by owner; what no rule placed (Unallocated); how much spend carries the "
        "required tags.",
    )
    by_center = q.showback(s.con, s.month, "CostCenter")
    for c, rows in _by_currency(by_center).items():
        names = [str(r["CostCenter"]) for r in rows]
        section.charts.append(
            bars(
                f"chart-cost-center-{c}",
                f"Showback by cost center, {c}",
                c,
                [Series("Amortized", names, [r["EffectiveCost"] for r in rows])],
                horizontal=True,
            )
        )
    for by, rows in (("CostCenter", by_center), ("Owner", q.showback(s.con, s.month, "Owner"))):
        label = "Cost center" if by == "CostCenter" else "Owner"
        section.tables.append(
            Table(
                f"showback-{label.lower().replace(' ', '-')}",
                f"Showback by {label.lower()}",
                (label, "Currency", "Amortized", "Billed"),
                [
                    (
                        str(r[by]),
                        c := str(r["BillingCurrency"]),
                        money(r["EffectiveCost"], c),
                        money(r["BilledCost"], c),
                    )
                    for r in rows
                ],
                frozenset({"Amortized", "Billed"}),
            )
        )
    kpis = q.allocation_kpis(s.con, s.month)
    unallocated: dict[str, Decimal] = {}
    for r in kpis:
        if r["KpiName"] == "unallocated_cost":
            c = str(r["BillingCurrency"])
            unallocated[c] = unallocated.get(c, Decimal(0)) + r["KpiValue"]
    section.figures += [
        Figure(f"unallocated-{c}", f"Unallocated ({c})", money(total, c))
        for c, total in sorted(unallocated.items())
    ]
    # One row per provider and currency, one column per KPI (and per tag for tag compliance).
    columns = {
        "allocation_coverage": "Allocation coverage",
        "unallocated_cost": "Unallocated",
    }
    for tag in sorted({str(r["KpiDimension"]) for r in kpis if r["KpiName"].startswith("tag_")}):
        columns[f"tag_compliance_cost/{tag}"] = f"{tag} tagged, spend"
        columns[f"tag_compliance_resources/{tag}"] = f"{tag} tagged, resources"
    pivot: dict[tuple[str, str], dict[str, str]] = {}
    for r in kpis:
        c = str(r["BillingCurrency"])
        name = str(r["KpiName"])
        key = f"{name}/{r['KpiDimension']}" if name.startswith("tag_") else name
        value = money(r["KpiValue"], c) if r["KpiUnit"] == "currency" else percent(r["KpiValue"])
        pivot.setdefault((str(r["ProviderName"]), c), {})[key] = value
    section.tables.append(
        Table(
            "allocation-kpis",
            "Allocation coverage and tag compliance (share of amortized spend, and of resources)",
            ("Provider", "Currency", *columns.values()),
            [
                (provider, c, *(values.get(k, NONE) for k in columns))
                for (provider, c), values in sorted(
                    pivot.items(), key=lambda item: (item[0][1], item[0][0])
                )
            ],
            frozenset(columns.values()),
        )
    )
    return section


def unit_economics(s: Scope) -> Section:
    section = Section(
        "unit-economics",
        "Unit economics",
        "Allocated cost per business unit of output (a request, an active user...): the "
        "trailing 7-day unit cost per day, and the month's unit cost against the month before.",
    )
    daily = q.unit_cost_daily(s.con, s.month)
    for c, rows in _by_currency(daily).items():
        ordered = sorted(rows, key=lambda r: str(r["UnitMetricId"]))
        series = [
            Series(
                f"{metric}",
                [r["MetricDate"] for r in of_metric],
                [r["TrailingUnitCost7d"] for r in of_metric],
            )
            for metric, of_metric in (
                (m, list(g)) for m, g in groupby(ordered, key=lambda r: str(r["UnitMetricId"]))
            )
        ]
        section.charts.append(
            lines(f"chart-unit-cost-{c}", f"Trailing 7-day unit cost, {c}", c, series)
        )
    monthly = q.unit_cost_monthly(s.con, s.month)
    section.tables.append(
        Table(
            "unit-cost",
            "Unit cost of the month",
            ("Unit metric", "Currency", "Unit cost", "Change vs last month"),
            [
                (
                    str(r["UnitMetricId"]),
                    c := str(r["BillingCurrency"]),
                    # Unit costs are fractions of a cent: four decimals say what changed.
                    money(r["UnitCost"], c, places=4),
                    percent(r["UnitCostChange"]),
                )
                for r in monthly
            ],
            frozenset({"Unit cost", "Change vs last month"}),
        )
    )
    return section


def invoicing(s: Scope) -> Section:
    section = Section(
        "invoicing",
        "Invoicing and close",
        "Each invoice of the month against Σ BilledCost of its charges: Matched within its "
        "tolerance, or why not. Closing the month freezes it; later restatements land as "
        "adjustments in the next open month.",
    )
    rows = q.invoice_reconciliation(s.con, s.month)
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[str(r["Status"])] = statuses.get(str(r["Status"]), 0) + 1
    for status, count in sorted(statuses.items()):
        section.figures.append(Figure(f"invoices-{status}", f"Invoices {status}", number(count)))
    section.tables.append(
        Table(
            "invoices",
            "Invoice reconciliation",
            (
                "Invoice",
                "Issuer",
                "Account",
                "Record",
                "Currency",
                "Invoice total",
                "Σ BilledCost",
                "Variance",
                "Tolerance",
                "Status",
            ),
            [
                (
                    str(r["InvoiceId"]),
                    str(r["InvoiceIssuerName"]),
                    str(r["BillingAccountId"]),
                    str(r["RecordType"]),
                    c := str(r["BillingCurrency"]),
                    money(r["InvoiceTotal"], c),
                    money(r["BilledCost"], c),
                    money(r["Variance"], c),
                    money(r["Tolerance"], c),
                    str(r["Status"]),
                )
                for r in rows
            ],
            frozenset({"Invoice total", "Σ BilledCost", "Variance", "Tolerance"}),
        )
    )
    if not rows:
        section.notes.append("No invoice of this month has been delivered yet.")
    return section


def data_quality(s: Scope) -> Section:
    section = Section(
        "data-quality",
        "Data quality",
        "The landing files that carry data of the month and what ingest did with them, files "
        "refused and quarantined, and how fresh each billing account's data is.",
    )
    files = q.files_of_month(s.con, s.month)
    quarantined = q.quarantined_files(s.con)
    section.figures += [
        Figure(
            "files-loaded",
            "Files loaded",
            number(sum(int(r["files"]) for r in files if r["status"] == "loaded")),
        ),
        Figure("files-quarantined", "Files quarantined (any month)", number(len(quarantined))),
    ]
    section.tables.append(
        Table(
            "files",
            "Landing files with data of the month",
            ("Format", "Status", "Files", "Rows", "Last delivered (UTC)"),
            [
                (
                    str(r["format"] or "unknown"),
                    str(r["status"]),
                    number(r["files"]),
                    number(r["rows"]),
                    f"{r['LastDeliveredAt']:%Y-%m-%d %H:%M}" if r["LastDeliveredAt"] else NONE,
                )
                for r in files
            ],
            frozenset({"Files", "Rows"}),
        )
    )
    section.tables.append(
        Table(
            "quarantined",
            "Quarantined files",
            ("File", "Format", "Billing month", "Refused (UTC)", "Reason"),
            [
                (
                    str(r["path"]),
                    str(r["format"] or "unknown"),
                    f"{r['billing_period']:%Y-%m}" if r["billing_period"] else NONE,
                    f"{r['loaded_at']:%Y-%m-%d %H:%M}",
                    str(r["error"] or ""),
                )
                for r in quarantined
            ],
        )
    )
    section.tables.append(
        Table(
            "freshness",
            "Freshness per billing account",
            (
                "Provider",
                "Account",
                "Status",
                "Last delivery (UTC)",
                "Days of usage",
                "Invoices matched",
                "Held back",
            ),
            [
                (
                    str(r["ProviderName"]),
                    str(r["BillingAccountId"]),
                    str(r["Status"]),
                    f"{r['LastDeliveryAt']:%Y-%m-%d %H:%M}" if r["LastDeliveryAt"] else NONE,
                    f"{r['DaysOfUsagePresent']} of {r['DaysInPeriod']}",
                    f"{r['InvoicesMatched']} of {r['Invoices']}",
                    "yes" if r["IsHeldBack"] else "no",
                )
                for r in q.period_status(s.con, s.month)
            ],
            frozenset({"Days of usage", "Invoices matched"}),
        )
    )
    return section


SECTIONS: tuple[Callable[[Scope], Section | None], ...] = (
    summary,
    top_movers,
    rate_optimization,
    allocation,
    unit_economics,
    invoicing,
    data_quality,
)
