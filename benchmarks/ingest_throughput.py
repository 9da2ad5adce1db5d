"""Ingestion throughput and peak memory on a large legacy CUR CSV (gzip).

Builds a legacy CUR file of ``--rows`` rows with DuckDB (set-based, no Python loop), then runs
``finops_warehouse.ingest.ingest`` on it in a fresh child process and reports wall time,
rows/s, the child's CPU seconds, the per-step timings and the child's peak RSS (so the build
does not count).

    python benchmarks/ingest_throughput.py --rows 1000000 --workdir /tmp/finops-bench

``--baseline DIR`` compares with another source tree (a directory holding ``finops_warehouse/``
and ``expectations/``), run alternately with this one ``--repeat`` times on the same file, so a
busy machine slows both alike; the summary gives medians and the ratio:

    git archive HEAD finops_warehouse expectations | tar -x -C /tmp/before
    python benchmarks/ingest_throughput.py --baseline /tmp/before --repeat 3
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb

log = logging.getLogger("benchmark")

# Columns of a realistic legacy CUR (hourly, with resources, RI/SP and tags): 44 columns.
_COLUMNS = {
    "identity/LineItemId": "md5(i::VARCHAR)",
    "identity/TimeInterval": "strftime(t, '%Y-%m-%dT%H:00:00Z') || '/' || "
    "strftime(t + INTERVAL 1 HOUR, '%Y-%m-%dT%H:00:00Z')",
    "bill/InvoiceId": "''",
    "bill/InvoicingEntity": "'Amazon Web Services, Inc.'",
    "bill/BillingEntity": "'AWS'",
    "bill/BillType": "'Anniversary'",
    "bill/PayerAccountId": "'012345678901'",
    "bill/BillingPeriodStartDate": "'2024-01-01T00:00:00Z'",
    "bill/BillingPeriodEndDate": "'2024-02-01T00:00:00Z'",
    "lineItem/UsageAccountId": "lpad(((i % 40) * 1234567)::VARCHAR, 12, '0')",
    "lineItem/LineItemType": "CASE WHEN i % 10 = 0 THEN 'DiscountedUsage' "
    "WHEN i % 10 = 1 THEN 'SavingsPlanCoveredUsage' ELSE 'Usage' END",
    "lineItem/UsageStartDate": "strftime(t, '%Y-%m-%dT%H:%M:%SZ')",
    "lineItem/UsageEndDate": "strftime(t + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%SZ')",
    "lineItem/ProductCode": "['AmazonEC2','AmazonS3','AmazonRDS','AWSLambda'][i % 4 + 1]",
    "lineItem/UsageType": "'USW2-BoxUsage:m5.large'",
    "lineItem/Operation": "'RunInstances'",
    "lineItem/ResourceId": "'i-' || lpad(printf('%x', i % 50000), 17, '0')",
    "lineItem/AvailabilityZone": "'us-west-2a'",
    "lineItem/UsageAmount": "'1.0000000000'",
    "lineItem/NormalizationFactor": "'4'",
    "lineItem/NormalizedUsageAmount": "'4'",
    "lineItem/CurrencyCode": "'USD'",
    "lineItem/UnblendedRate": "'0.0960000000'",
    "lineItem/UnblendedCost": "printf('%.10f', (i % 997) / 1000.0)",
    "lineItem/BlendedRate": "'0.0960000000'",
    "lineItem/BlendedCost": "printf('%.10f', (i % 997) / 1000.0)",
    "lineItem/LineItemDescription": "'$0.096 per On Demand Linux m5.large Instance Hour'",
    "lineItem/TaxType": "''",
    "pricing/publicOnDemandRate": "'0.0960000000'",
    "pricing/publicOnDemandCost": "printf('%.10f', (i % 997) / 1000.0)",
    "pricing/term": "'OnDemand'",
    "pricing/unit": "'Hrs'",
    "product/ProductName": "'Amazon Elastic Compute Cloud'",
    "product/region": "'us-west-2'",
    "product/instanceType": "'m5.large'",
    "product/productFamily": "'Compute Instance'",
    "product/servicecode": "'AmazonEC2'",
    "product/sku": "'DQ578CGN99KG6ECF'",
    "reservation/ReservationARN": "''",
    "reservation/EffectiveCost": "''",
    "savingsPlan/SavingsPlanARN": "''",
    "savingsPlan/SavingsPlanEffectiveCost": "''",
    "resourceTags/user:Team": "CASE WHEN i % 3 = 0 THEN '' ELSE 'team-' || (i % 7)::VARCHAR END",
    "resourceTags/user:Env": "['prod','staging','dev'][i % 3 + 1]",
}


def build_cur(path: Path, rows: int) -> None:
    """Write a legacy CUR .csv.gz of ``rows`` rows with DuckDB's COPY."""
    path.parent.mkdir(parents=True, exist_ok=True)
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in _COLUMNS.items())
    duckdb.sql(
        f"""COPY (SELECT {select} FROM (
                SELECT i, TIMESTAMP '2024-01-01' + INTERVAL (i % 744) HOUR AS t
                FROM range({rows}) r(i)))
            TO '{path}' (FORMAT csv, HEADER, COMPRESSION gzip)"""
    )


def _child(workdir: str, tree: str | None, queue) -> None:
    """Run ingest in a fresh process; send timings, CPU time and peak RSS back."""
    os.dup2(2, 1)  # progress bars DuckDB prints go to stderr: stdout holds only the JSON
    if tree:
        sys.path.insert(0, tree)
    from finops_warehouse.ingest import ingest

    root = Path(workdir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    steps: dict[str, float] = {}

    def progress(message: str) -> None:
        log.info(message)
        # "<file>: read 3.2s, partitions 0.2s, ..." (older trees: "fingerprint 0.1s, read ...")
        if ": fingerprint " in message or ": read " in message:
            for part in message.split(": ", 1)[1].split(", "):
                name, _, value = part.rpartition(" ")
                steps[name] = float(value.rstrip("s"))

    cpu = _cpu_seconds()
    started = time.perf_counter()
    report = ingest(
        root / "warehouse.duckdb", str(root / "landing"), root / "quarantine", progress=progress
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "tree": tree or "current",
            "status": [f.status for f in report.files],
            "rows": sum(f.rows or 0 for f in report.files),
            "cost_total": str(sum(f.cost_total or 0 for f in report.files)),
            "seconds": round(seconds, 2),
            "cpu_seconds": round(_cpu_seconds() - cpu, 1),
            "steps": steps,
            "peak_rss_mib": round(peak_kib / 1024, 1),
        }
    )


def _cpu_seconds() -> float:
    """User + system CPU time of this process (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_once(source: Path, workdir: Path, tree: str | None) -> dict:
    """A fresh landing and warehouse, then one ingest in a child process."""
    for leftover in ("landing", "quarantine", "warehouse.duckdb", "warehouse.duckdb.wal"):
        target = workdir / leftover
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(True)
    landing = workdir / "landing" / "aws" / "20240101-20240201"
    landing.mkdir(parents=True)
    shutil.copy(source, landing / "cur-1.csv.gz")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(str(workdir), tree, queue))
    child.start()
    result = queue.get()
    child.join()
    result["rows_per_second"] = round(result["rows"] / result["seconds"])
    return result


def _summary(runs: list[dict]) -> dict:
    """Medians of one tree's runs."""
    return {
        "runs": len(runs),
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rows_per_second": statistics.median(r["rows_per_second"] for r in runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "steps": {
            name: statistics.median(r["steps"].get(name, 0.0) for r in runs)
            for name in dict.fromkeys(n for r in runs for n in r["steps"])
        },
    }


def main() -> None:
    """Build (or reuse) the file, ingest it in child processes, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/finops-bench"))
    parser.add_argument("--baseline", help="another source tree to compare with (see above)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tree")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    source = args.workdir / f"cur-{args.rows}.csv.gz"
    if not source.exists():
        started = time.perf_counter()
        build_cur(source, args.rows)
        log.info("built %s in %.1fs", source, time.perf_counter() - started)
    trees = [args.baseline, None] if args.baseline else [None]
    runs = [_run_once(source, args.workdir, t) for _ in range(args.repeat) for t in trees]
    result: dict = {"file_bytes": source.stat().st_size, "columns": len(_COLUMNS), "runs": runs}
    if args.baseline:
        before = _summary([r for r in runs if r["tree"] != "current"])
        after = _summary([r for r in runs if r["tree"] == "current"])
        result["baseline"], result["current"] = before, after
        result["speedup"] = round(before["seconds"] / after["seconds"], 2)
    elif len(runs) == 1:
        result.update(runs[0])
    else:
        result["current"] = _summary(runs)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
