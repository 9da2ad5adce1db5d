"""Plotly charts for the report, as HTML fragments that draw with the plotly.js the page inlines.

Amounts are plotted as floats (a chart is read by eye); the hover text and every printed figure
carry the exact amount, formatted in its currency. One chart never mixes currencies on an axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

from finops_warehouse.report.formatting import money

# Calm colours that print in grey too: billed, amortized, then the rest.
PALETTE = ("#1f4e79", "#e07b39", "#4a9c6d", "#8e6bb8", "#c44e52", "#7f7f7f")


@dataclass(frozen=True)
class Chart:
    id: str
    html: str


@dataclass(frozen=True)
class Series:
    name: str
    x: Sequence[object]
    y: Sequence[Decimal | None]


def plotly_js() -> str:
    """The plotly.js bundle, inlined once per page so it opens offline."""
    return plotly.offline.get_plotlyjs()


def _html(chart_id: str, figure: go.Figure, height: int) -> Chart:
    figure.update_layout(
        template="plotly_white",
        colorway=PALETTE,
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.18},
        font={"family": "Helvetica, Arial, sans-serif", "size": 12},
    )
    html = pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=chart_id,
        config={"displayModeBar": False, "responsive": True},
    )
    return Chart(chart_id, html)


def _floats(values: Sequence[Decimal | None]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def bars(
    chart_id: str,
    title: str,
    currency: str,
    series: Sequence[Series],
    *,
    horizontal: bool = False,
) -> Chart:
    """Grouped bars of amounts in one currency (hover: the exact amount)."""
    figure = go.Figure()
    for s in series:
        hover = [money(v, currency) for v in s.y]
        x, y = (_floats(s.y), list(s.x)) if horizontal else (list(s.x), _floats(s.y))
        figure.add_bar(
            name=s.name,
            x=x,
            y=y,
            orientation="h" if horizontal else "v",
            hovertext=hover,
            hoverinfo="text+name",
        )
    axis = {"title": currency, "tickformat": ",.0f"}
    figure.update_layout(title=title, barmode="group")
    if horizontal:
        figure.update_layout(xaxis=axis, yaxis={"autorange": "reversed"})
    else:
        figure.update_layout(yaxis=axis)
    height = max(320, 28 * len(series[0].x) + 120) if horizontal else 360
    return _html(chart_id, figure, height=height)


def lines(
    chart_id: str, title: str, y_title: str, series: Sequence[Series], *, months: bool = False
) -> Chart:
    """Lines over time, with markers so a single point still shows. Months (`YYYY-MM`) are
    categories: as dates, one month alone would get an axis of milliseconds."""
    figure = go.Figure()
    for s in series:
        figure.add_scatter(name=s.name, x=list(s.x), y=_floats(s.y), mode="lines+markers")
    figure.update_layout(title=title, yaxis={"title": y_title})
    if months:
        figure.update_layout(xaxis={"type": "category"})
    return _html(chart_id, figure, height=360)


def _short(label: str, width: int = 48) -> str:
    """A label that leaves the plot room, its start and its end (where names keep their ids);
    the table beside the chart has it whole."""
    if len(label) <= width:
        return label
    half = (width - 1) // 2
    return label[:half] + "\N{HORIZONTAL ELLIPSIS}" + label[-half:]


def gauge_bars(chart_id: str, title: str, names: Sequence[str], ratios: Sequence[Decimal]) -> Chart:
    """Ratios (0..1) as horizontal bars on a 0-100% axis: utilization, coverage. Bars are
    numbered 1, 2, ... as the rows of the table beside the chart (shortened names can repeat,
    and a repeated label would draw two bars as one)."""
    figure = go.Figure()
    figure.add_bar(
        x=[float(r) for r in ratios],
        y=[f"{i}. {_short(n)}" for i, n in enumerate(names, start=1)],
        orientation="h",
        text=[f"{float(r):.1%}" for r in ratios],
        textposition="auto",
        showlegend=False,
    )
    figure.update_layout(
        title=title,
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
    )
    return _html(chart_id, figure, height=max(260, 28 * len(names) + 120))
