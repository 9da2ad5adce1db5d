"""The month-in-review report as a person sees it: `finops report` on the shared demo run, opened
from disk in headless Chromium with the network off. Every chart has drawn, the printed figures
equal the marts' (independent SQL here), the banner says the month's state. Screenshots go to
tests/artifacts/report/ (printed), for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report"
# Wider than the page's two chart columns need; tall enough for the whole page.
WINDOW = "1400,14000"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium package (.ci/run installs it)"
)


def chromium(*args: str) -> str:
    """Headless Chromium with the network off: every request goes to a closed local port and no
    name resolves, so the page can only draw what it carries."""
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            # Scripts run and charts draw before the DOM is dumped or the screenshot taken.
            "--virtual-time-budget=10000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


class Page(HTMLParser):
    """What the rendered DOM shows: tables by id (header -> cell text per row), headline
    figures, the banner's state, and per chart the SVG roots and marks Plotly drew."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.figures: dict[str, str] = {}
        self.banner: str | None = None
        self.charts: dict[str, dict[str, int]] = {}
        self._table: str | None = None
        self._headers: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._figure: str | None = None
        self._chart: str | None = None
        self._chart_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self._chart is not None:
            self._chart_depth += 1
            counts = self.charts[self._chart]
            counts["svg"] += "main-svg" in classes
            # A bar or a marker is a `point`; a line is a `js-line` path.
            counts["marks"] += "point" in classes or "js-line" in classes
        if tag == "div" and "data-chart" in a:
            self._chart, self._chart_depth = a["data-chart"], 1
            self.charts[self._chart] = {"svg": 0, "marks": 0}
        if tag == "div" and a.get("id") == "banner":
            self.banner = a.get("data-state")
        if "data-figure" in a:
            self._figure, self._cell = a["data-figure"], []
        if tag == "table":
            self._table, self._headers = a.get("id"), []
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if self._chart is not None:
            self._chart_depth -= 1
            if self._chart_depth == 0:
                self._chart = None
        if self._figure and tag == "div":
            self.figures[self._figure] = "".join(self._cell).strip()
            self._figure, self._cell = None, None
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if not self._headers:
                self._headers = self._row
            elif len(self._row) == len(self._headers):
                self.tables[self._table].append(dict(zip(self._headers, self._row, strict=True)))
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


SYMBOLS = {"USD": "$", "EUR": "€"}


def as_printed(amount: Decimal, currency: str) -> str:
    """How finance reads an amount already rounded to the cent by the query."""
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    digits = f"{abs(amount):,.2f}"
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


@pytest.fixture(scope="module")
def report(demo_run, finops_cli, tmp_path_factory):
    """`finops report` of the demo's last month, its rendered DOM and its warehouse."""
    home, env, _root, truth, first = demo_run
    assert first.returncode == 0, f"the shared demo run failed:\n{first.stdout}\n{first.stderr}"
    warehouse = home / "warehouse.duckdb"
    period = truth["billing_periods"][-1]
    out = ARTIFACTS / f"month-in-review-{period}.html"
    # The shared run's Dagster instance stays as it is: the report's run goes to one of its own.
    own = tmp_path_factory.mktemp("report_home")
    env = {**env, "FINOPS_HOME": str(own), "DAGSTER_HOME": str(own / "dagster")}
    done = finops_cli(
        "report", "--period", period, "--out", str(out), "--warehouse", str(warehouse), env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(out) in done.stdout  # it says where the report is
    dom = chromium("--dump-dom", out.as_uri())
    return period, out, Page(dom), warehouse


def query(warehouse: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_report_is_one_file_that_loads_nothing_from_the_network(report):
    _period, out, page, _warehouse = report
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html)
    assert page.charts, "the page has no chart"


def test_every_chart_has_drawn_marks_offline(report):
    _period, out, page, _warehouse = report
    html = out.read_text(encoding="utf-8")
    assert len(page.charts) == html.count('class="plotly-graph-div"')
    empty = {name: counts for name, counts in page.charts.items() if not counts["marks"]}
    assert not empty, f"charts with no marks: {empty}"
    assert all(counts["svg"] >= 1 for counts in page.charts.values()), page.charts
    # Each section the report promises is on the page.
    for section in ("summary", "top-movers", "rate-optimization", "allocation"):
        assert f'<section id="{section}">' in html
    for section in ("unit-economics", "invoicing", "data-quality"):
        assert f'<section id="{section}">' in html


def test_banner_shows_the_month_state_of_dim_billing_period(report):
    period, _out, page, warehouse = report
    [(all_closed,)] = query(
        warehouse,
        "select bool_and(Status = 'Closed') from marts.dim_billing_period"
        " where strftime(BillingMonth, '%Y-%m') = ?",
        period,
    )
    assert page.banner == ("Closed" if all_closed else "Open")


def test_printed_spend_equals_the_focus_mart_to_the_cent(report):
    period, _out, page, warehouse = report
    rows = query(
        warehouse,
        """
        select ProviderName, BillingCurrency,
               round(sum(BilledCost), 2), round(sum(EffectiveCost), 2)
        from marts.fct_cost_and_usage where strftime(x_BillingPeriod, '%Y-%m') = ?
        group by all
        """,
        period,
    )
    printed = {(r["Provider"], r["Currency"]): r for r in page.tables["spend-by-provider"]}
    assert set(printed) == {(p, c) for p, c, _b, _e in rows}
    for provider, currency, billed, effective in rows:
        assert printed[provider, currency]["Billed"] == as_printed(billed, currency)
        assert printed[provider, currency]["Amortized"] == as_printed(effective, currency)
    totals = query(
        warehouse,
        """
        select BillingCurrency, round(sum(BilledCost), 2), round(sum(EffectiveCost), 2)
        from marts.fct_cost_and_usage where strftime(x_BillingPeriod, '%Y-%m') = ?
        group by all
        """,
        period,
    )
    assert len(totals) >= 2, "the demo bills in more than one currency"
    for currency, billed, effective in totals:
        assert page.figures[f"billed-{currency}"] == as_printed(billed, currency)
        assert page.figures[f"amortized-{currency}"] == as_printed(effective, currency)


def test_printed_invoices_and_showback_equal_the_marts(report):
    period, _out, page, warehouse = report
    invoices = query(
        warehouse,
        """
        select InvoiceId, RecordType, BillingCurrency, round(InvoiceTotal, 2),
               round(BilledCost, 2), Status
        from marts.fct_invoice_reconciliation where strftime(BillingMonth, '%Y-%m') = ?
        """,
        period,
    )
    assert invoices, "the demo's month has invoices"
    printed = {(r["Invoice"], r["Record"]): r for r in page.tables["invoices"]}
    assert len(printed) == len(invoices)
    for invoice, record, currency, total, billed, status in invoices:
        row = printed[invoice, record]
        assert row["Invoice total"] == (
            as_printed(total, currency) if total is not None else "\N{EN DASH}"
        )
        assert row["Σ BilledCost"] == as_printed(billed, currency)
        assert row["Status"] == status
    # Showback by cost center from the allocation ledger the mart sums.
    centers = query(
        warehouse,
        """
        select CostCenter, BillingCurrency, round(sum(AllocatedEffectiveCost), 2)
        from marts.fct_cost_allocation where strftime(BillingMonth, '%Y-%m') = ?
        group by all
        """,
        period,
    )
    shown = {
        (r["Cost center"], r["Currency"]): r["Amortized"]
        for r in page.tables["showback-cost-center"]
    }
    assert shown == {(cc, c): as_printed(amount, c) for cc, c, amount in centers}


def test_screenshots_of_the_report(report):
    """Not an assertion about the numbers: the pictures a person looks at, and where they are."""
    period, out, _page, _warehouse = report
    shots = {
        "top": ARTIFACTS / f"month-in-review-{period}-top.png",
        "full": ARTIFACTS / f"month-in-review-{period}-full.png",
    }
    chromium("--window-size=1400,1000", f"--screenshot={shots['top']}", out.as_uri())
    chromium(f"--window-size={WINDOW}", f"--screenshot={shots['full']}", out.as_uri())
    for shot in shots.values():
        assert shot.stat().st_size > 50_000, f"{shot} looks blank"
    print(f"report screenshots: {ARTIFACTS}")


def test_printed_savings_equal_the_commitment_marts(report):
    period, _out, page, warehouse = report
    savings = query(
        warehouse,
        """
        select ProviderName, BillingCurrency, round(sum(ListCost), 2), round(sum(TotalSavings), 2),
               round(100 * sum(TotalSavings) / sum(ListCost), 1)
        from marts.fct_commitment_savings_monthly where strftime(BillingMonth, '%Y-%m') = ?
        group by all
        """,
        period,
    )
    assert savings, "the demo's month has commitment savings"
    printed = {(r["Provider"], r["Currency"]): r for r in page.tables["savings"]}
    assert set(printed) == {(p, c) for p, c, *_ in savings}
    for provider, currency, list_cost, total, rate in savings:
        row = printed[provider, currency]
        assert row["List cost"] == as_printed(list_cost, currency)
        assert row["Total savings"] == as_printed(total, currency)
        assert row["Effective savings rate"] == f"{rate:.1f}%"


def test_printed_anomalies_equal_the_anomaly_mart(report):
    period, _out, page, warehouse = report
    anomalies = query(
        warehouse,
        """
        select ProviderName, ServiceName, BillingCurrency, round(Impact, 2), Status
        from marts.fct_cost_anomaly
        where strftime(FirstDay, '%Y-%m') <= ? and strftime(LastDay, '%Y-%m') >= ?
        """,
        period,
        period,
    )
    assert anomalies, "the demo injects cost changes into its last month"
    printed = sorted(
        (r["Provider"], r["Service"], r["Impact"], r["Status"]) for r in page.tables["anomalies"]
    )
    assert printed == sorted(
        (provider, service, as_printed(impact, currency), status)
        for provider, service, currency, impact, status in anomalies
    )
