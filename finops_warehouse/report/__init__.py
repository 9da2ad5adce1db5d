"""The month-in-review report: one self-contained HTML file per billing month (docs/report.md).

`render_report` reads the marts through a read-only connection and returns the page, with
plotly.js and every figure's data inlined, so it opens from disk with no server and no network;
`write_report` writes it. Sections live in `sections.py`, their SQL in `queries.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2

from finops_warehouse.orchestration.partitions import month_start
from finops_warehouse.report import queries
from finops_warehouse.report.charts import plotly_js
from finops_warehouse.report.sections import SECTIONS, Scope
from finops_warehouse.warehouse_connection import connect

TEMPLATE = "month_in_review.html.j2"


class ReportError(Exception):
    """The report cannot be made for this month (no such month in the warehouse)."""


@dataclass(frozen=True)
class Banner:
    state: str  # Closed or Open
    text: str


def banner(status: list[queries.Record]) -> Banner:
    """Closed when every billing account of the month is closed (`finops close` closes them
    together); Open otherwise."""
    if status and all(r["Status"] == "Closed" for r in status):
        closed_at = max(r["ClosedAt"] for r in status)
        return Banner(
            "Closed",
            f"final, tied to invoices (closed {closed_at:%Y-%m-%d %H:%M} UTC). Later "
            "restatements land as adjustments in the next open month.",
        )
    held = [r for r in status if r["IsHeldBack"]]
    text = "provisional: figures change as exports are delivered, until the month is closed."
    if held:
        text += f" {len(held)} billing account(s) held back by refused files."
    return Banner("Open", text)


def report_file_name(period: str) -> str:
    """The report's name in the reports directory ($FINOPS_HOME/reports/ by default)."""
    return f"month-in-review-{period}.html"


def render_report(warehouse: Path, period: str) -> str:
    """The month-in-review page of billing month `period` (YYYY-MM)."""
    month = month_start(period)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    with connect(warehouse, read_only=True) as con:
        if month not in queries.billing_months(con):
            raise ReportError(f"the warehouse {warehouse} holds no billing month {period}")
        scope = Scope(con, month, previous)
        sections = [s for s in (build(scope) for build in SECTIONS) if s is not None]
        state = banner(queries.period_status(con, month))
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("finops_warehouse.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(TEMPLATE).render(
        month_label=f"{month:%B %Y}",
        generated_at=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
        warehouse=Path(warehouse).name,
        banner=state,
        sections=sections,
        plotly_js=plotly_js(),
    )


def write_report(warehouse: Path, period: str, out: Path) -> Path:
    """Render the report of `period` and write it to `out` (its directory made if needed)."""
    html = render_report(warehouse, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
