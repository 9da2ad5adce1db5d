"""Anomaly backtest: prints marts.fct_anomaly_backtest (precision, recall, days to detect and
root cause per kind of labelled change) and the label-by-label detail behind it.

Every `finops run` builds the mart from the anomaly labels in the landing directory; the demo
generator writes its injected changes as labels, so on a generated warehouse:

    finops generate --out /tmp/demo --months 2 --seed 7
    FINOPS_WAREHOUSE=/tmp/demo.duckdb finops run --landing /tmp/demo/landing
    python benchmarks/anomaly_backtest.py --warehouse /tmp/demo.duckdb

docs/anomalies.md holds the demo's figures and the matching rules.
"""

from __future__ import annotations

import argparse
import json

from finops_warehouse.warehouse_connection import connect

SUMMARY = """
select LabelKind, Labelled, Scored, Detected, Recall, MinDaysToDetect, MaxDaysToDetect,
    MeanDaysToDetect, CauseNamed, Anomalies, MatchedAnomalies, Precision
from marts.fct_anomaly_backtest order by LabelKind
"""
DETAIL = """
select LabelKind, LabelId, FirstDay, SeriesId, HasHistory, IsScored, DetectedOn, TopResource
from marts.fct_anomaly_label_match
where AnomalyId is null or IsFirstMatch
order by LabelKind, FirstDay, LabelId
"""


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    args = parser.parse_args()
    with connect(args.warehouse, read_only=True) as con:
        rows = con.execute(SUMMARY).fetchall()
        detail = con.execute(DETAIL).fetchall()
    if not rows:
        print("no anomaly labels loaded: nothing to score")
        return
    print("| kind | labelled | scored | detected | recall | days to detect | top cause named |")
    print("|---|---|---|---|---|---|---|")
    figures = {}
    for kind, labelled, scored, detected, recall, low, high, mean, named, *_ in rows:
        days = "-" if low is None else f"{low}" if low == high else f"{low}-{high} (mean {mean})"
        print(
            f"| {kind} | {labelled} | {scored} | {detected} | {_text(recall)} | {days} "
            f"| {named} of {detected} |"
        )
        figures[kind] = {"labelled": labelled, "scored": scored, "recall": _text(recall)}
    anomalies, matched, precision = rows[0][-3:]
    print(f"\nprecision: {_text(precision)} ({matched} of {anomalies} anomalies match a label)")
    for kind, label, day, series, judged, scored, detected_on, top in detail:
        outcome = (
            "no usage fits the label"
            if series is None
            else "insufficient history"
            if not judged
            else f"detected {detected_on}, top resource {_text(top)}"
            if detected_on
            else "missed"
            if scored
            else "below the floors"
        )
        print(f"  {kind} {day} {label}: {outcome}")
    figures["precision"] = _text(precision)
    print("BENCH-RESULT " + json.dumps(figures))


if __name__ == "__main__":
    main()
