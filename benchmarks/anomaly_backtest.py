"""Anomaly backtest: precision, recall, days to detect and root cause against the ground truth.

Reads a warehouse built by `finops run` on generated exports and the generator's
ground_truth.json (dagster_project/anomaly_backtest.py does the scoring):

    finops generate --out /tmp/demo --months 2 --seed 7
    FINOPS_WAREHOUSE=/tmp/demo.duckdb finops run --landing /tmp/demo/landing
    python benchmarks/anomaly_backtest.py --warehouse /tmp/demo.duckdb \\
        --truth /tmp/demo/ground_truth.json

Prints one line per kind of injected change and the precision; docs/anomalies.md holds the
demo's figures.
"""

from __future__ import annotations

import argparse
import json

from dagster_project.anomaly_backtest import KINDS, backtest
from dagster_project.generator import load_ground_truth
from dagster_project.warehouse_connection import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--truth", required=True, help="the generator's ground_truth.json")
    args = parser.parse_args()
    with connect(args.warehouse, read_only=True) as con:
        result = backtest(con, load_ground_truth(args.truth))
    print("| kind | injected | scored | detected | recall | days to detect | cause named |")
    print("|---|---|---|---|---|---|---|")
    figures = {}
    for kind in KINDS:
        k = result.by_kind(kind)
        figures[kind] = {**k, "recall": str(k["recall"])}
        print(
            f"| {kind} | {k['injected']} | {k['scored']} | {k['detected']} | {k['recall']} "
            f"| {', '.join(map(str, k['days_to_detect'])) or '-'} | {k['cause_named']} |"
        )
    print(
        f"\nprecision: {result.precision} ({result.matched_anomalies} of {result.anomalies} "
        "anomalies match an injected change)"
    )
    for inj in result.injections:
        print(
            f"  {inj.kind} {inj.first_day} {inj.resource_id}: "
            + (
                "series not found"
                if inj.series is None
                else "insufficient history"
                if not inj.judged
                else f"detected {inj.detected_on}, top resource {inj.top_resource}"
                if inj.detected_on
                else "below the floors"
                if not inj.above_floors and inj.kind != "drift"
                else "missed"
            )
        )
    figures["precision"] = str(result.precision)
    print("BENCH-RESULT " + json.dumps(figures))


if __name__ == "__main__":
    main()
