"""Scale: a year of bills (about 100M line items) built end to end, then one month re-delivered.

One invocation, each step a child process measured with ``_measure.measure`` (wall, CPU, peak
RSS of the largest process, peak PSS of the tree):

1. the project's generator writes ``--months`` billing months, every format (a whole company's
   landing), sized so that each month holds about ``--rows-per-month`` line items. Before
   that, a small probe month gives the landing's bytes per row, and the benchmark refuses to
   start when the filesystem lacks the disk the landing, the warehouse and the export need.
   Generation is timed on its own: it is not the pipeline;
2. the full build: ``finops run`` into a new warehouse, then ``finops export focus``. The run's
   stages (before the ingest run, the ingest run, the gap, the transform run and dbt's own
   build time, the tail) come from its logs, as ``fixed_cost.py`` reads them; rows/s = line
   items loaded (``raw.ingest_manifest``) or built (``marts.fct_cost_and_usage``) / seconds;
3. the re-delivery: AWS restates one month (``--redeliver-month``, default the 6th). The
   generator writes that month again with another seed (other content, the same payer and
   accounts); only its newest legacy CUR delivery (a new assembly folder, and the manifest one
   folder up that names it) is copied into the landing, delivered a day after the month's
   newest CUR file there. Then ``finops run`` again on the same warehouse: the incremental
   build; after it, that month's live legacy CUR partition in raw must hold the rows and
   control total the generator recorded for the new delivery.

Targets (exit 0 only when all are met): every step succeeds (an out-of-memory kill is a
failure and is named so); the re-delivery is live in raw; the peak RSS of every step < 8 GiB;
incremental run <= 1/6 of the full ``finops run``. A table goes to stdout; the JSON results
(``--json``) are rewritten after each step, so a long run keeps what it measured.

    .venv/bin/python benchmarks/scale.py                                  # 12 x 8M rows
    .venv/bin/python benchmarks/scale.py --months 12 --rows-per-month 20000

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import time
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import psutil
from _measure import RESULT_PREFIX, Measurement, measure  # benchmarks/ is on sys.path
from fixed_cost import finops_command, stages

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_PEAK_BYTES = 8 * 1024**3  # peak RSS of every step < 8 GiB
TARGET_RATIO = 1 / 6  # incremental finops run <= 1/6 of the full one
MIB = 1024 * 1024
PROBE_ROWS = 200_000  # the disk probe's month: large enough that the fleet dominates its rows
# Disk per line item beyond the landing, from the 12 x 1M run (docs/benchmarks.md): the
# warehouse file after the incremental run (336 bytes; DuckDB keeps the freed blocks of the
# replaced tables in the file), plus about 100 for the mapped rows that int_cost_and_usage
# stores beside the mart since, and the FOCUS export (11 bytes).
WAREHOUSE_BYTES_PER_ROW = 450
EXPORT_BYTES_PER_ROW = 20
# DuckDB's temporary files beside the warehouse under the 3 GB memory bound while one slice of
# months (FINOPS_BUILD_SLICE_ROWS line items, docs/dbt.md) is mapped: about 400 bytes per line
# item (3 GB for a month of 7.8M). Freed when the build ends.
SPILL_BYTES_PER_ROW = 400
SLICE_ROWS = int(os.environ.get("FINOPS_BUILD_SLICE_ROWS", "16000000"))
DISK_MARGIN = 1.25
STAGE_LABELS = {  # fixed_cost.stages() keys, in the table's order and words
    "start_to_ingest": "before the ingest run",
    "ingest": "ingest run (rows loaded/s)",
    "to_transform": "gap to the transform run",
    "transform": "transform run (fct rows/s)",
    "dbt_build_elapsed": "  of which dbt build",
    "tail": "after the last run",
}


# --- child steps (run as `scale.py --child STEP ...`) -------------------------------------------


def child_generate(out: str, months: str, seed: str, rows: str, start: str) -> dict:
    """Generate the landing; what it wrote, and the newest legacy CUR delivery of each month
    (its parts, rows and cost as the generator recorded them)."""
    from finops_generator import generate

    started = time.perf_counter()
    truth = generate(
        Path(out), int(months), int(seed), int(rows), start, progress=print, gcp_gzipped=True
    )
    latest: dict[str, dict] = {}
    for f in truth.files:
        if f.format == "aws_cur" and not f.superseded:
            month = latest.setdefault(f.billing_period, {"parts": [], "rows": 0, "cost": 0})
            month["parts"].append(f.path)
            month["rows"] += f.rows
            month["cost"] += f.cost_total  # integer units of 1e-10 USD
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "rows": truth.rows_written,
        "bytes": sum(f.bytes for f in truth.files),
        "files": len(truth.files),
        "aws_cur_latest": latest,
    }


def run_child(args: argparse.Namespace) -> None:
    if args.child != "generate":
        raise SystemExit(f"unknown child step {args.child}")
    print(RESULT_PREFIX + json.dumps(child_generate(*args.child_args)), flush=True)


def child_command(step: str, *step_args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", step, *step_args]


# --- planning -----------------------------------------------------------------------------------


def plan(months: int, rows_per_month: int, seed: int) -> dict:
    """The generator's ``rows`` for the whole landing and the rows it expects to write."""
    from finops_generator import DEFAULT_START, build_world, plan_rows
    from finops_generator.periods import month_range

    periods = month_range(DEFAULT_START, months)
    rows = months * rows_per_month
    scale = plan_rows(rows, periods, seed)
    expected = build_world(periods, seed, scale, finalize=False).expected_rows
    return {
        "generator_rows": rows,
        "fleet_scale": scale,
        "expected_rows": expected,
        "periods": [m.label for m in periods],
    }


def disk_needed(
    workdir: Path, expected_rows: int, months: int, seed: int, landing_on_disk: bool = False
) -> dict:
    """Bytes the benchmark will write, from one probe month's bytes per row; refuses when the
    filesystem lacks them. The GCP export is gzipped, as the other large exports are. A reused
    landing is on disk already: only the re-delivered month's generation is still to write."""
    from collections import Counter

    from finops_generator import generate

    probe = workdir / "probe"
    truth = generate(probe, months=1, seed=seed, rows=PROBE_ROWS, gcp_gzipped=True)
    by_format = Counter()
    for f in truth.files:
        by_format[f.format] += f.bytes
    per_row = sum(by_format.values()) / truth.rows_written
    shutil.rmtree(probe)
    landing = per_row * expected_rows
    warehouse = (WAREHOUSE_BYTES_PER_ROW + EXPORT_BYTES_PER_ROW) * expected_rows
    spill = SPILL_BYTES_PER_ROW * min(expected_rows, SLICE_ROWS)
    # The landing, the re-delivered month's generation beside it, the warehouse and export,
    # and the first build's spill.
    to_write = landing / months if landing_on_disk else landing * (1 + 1 / months)
    needed = DISK_MARGIN * (to_write + warehouse + spill)
    free = shutil.disk_usage(workdir).free
    bulkiest, bulk = by_format.most_common(1)[0]
    estimate = {
        "landing_bytes_per_row": round(per_row, 1),
        "landing_share_by_format": {
            k: round(v / sum(by_format.values()), 3) for k, v in by_format.most_common()
        },
        "landing_bytes": round(landing),
        "landing_on_disk": landing_on_disk,
        "warehouse_and_export_bytes": warehouse,
        "spill_bytes": spill,
        "needed_bytes": round(needed),
        "free_bytes": free,
    }
    if needed > free:
        gib = 1024**3
        raise SystemExit(
            f"not enough disk under {workdir}: about {needed / gib:,.1f} GiB needed for "
            f"{expected_rows:,} rows (landing {landing / gib:,.1f} GiB at {per_row:,.0f} "
            f"bytes/row, {bulk / sum(by_format.values()):.0%} of it {bulkiest}; warehouse and "
            f"export {warehouse / gib:,.1f} GiB; DuckDB's spill {spill / gib:,.1f} GiB; margin "
            f"{DISK_MARGIN}), {free / gib:,.1f} GiB "
            "free. Use --workdir on a larger filesystem or fewer --rows-per-month."
        )
    return estimate


# --- the warehouse, read-only -------------------------------------------------------------------


def counts(warehouse: Path, since: float, until: float) -> dict:
    """Line items loaded by the run between ``since`` and ``until`` (epoch seconds), and the
    rows of the FOCUS fact table."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute(
            "SELECT coalesce(sum(rows), 0) FROM raw.ingest_manifest "
            "WHERE status IN ('loaded', 'replaced') "
            "AND epoch(loaded_at) BETWEEN ? AND ?",
            [since - 1, until + 1],
        ).fetchone()[0]
        built = con.execute("SELECT count(*) FROM marts.fct_cost_and_usage").fetchone()[0]
    return {"rows_loaded": int(loaded), "fct_rows": int(built)}


def dbt_nodes(since: float, until: float, top: int = 12) -> dict | None:
    """Where the dbt build of a run spent its time, from its run_results.json (the newest one
    the run wrote under the project's dbt target directory): dbt's elapsed seconds, seconds per
    resource type summed over dbt's threads, and the slowest nodes."""
    from finops_warehouse.locations import dbt_target_dir

    written = [
        path
        for path in dbt_target_dir().glob("*/run_results.json")
        if since <= path.stat().st_mtime <= until
    ]
    if not written:
        return None
    results = json.loads(max(written, key=lambda p: p.stat().st_mtime).read_text())["results"]
    by_type: dict[str, float] = {}
    for node in results:
        kind = node["unique_id"].split(".")[0]
        by_type[kind] = round(by_type.get(kind, 0) + node["execution_time"], 1)
    slowest = sorted(results, key=lambda node: -node["execution_time"])[:top]
    return {
        "run_results": str(max(written, key=lambda p: p.stat().st_mtime)),
        "seconds_by_type": by_type,
        "slowest": [
            [node["unique_id"].split(".")[2], round(node["execution_time"], 2)] for node in slowest
        ],
    }


def live_partition(warehouse: Path, fmt: str, period: str) -> dict:
    """Rows and control total of a format's live (loaded) partitions of one billing month."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, cost = con.execute(
            "SELECT coalesce(sum(rows), 0), sum(cost_total) FROM raw.ingest_partitions "
            "WHERE format = ? AND status = 'loaded' AND billing_period = CAST(? AS DATE)",
            [fmt, f"{period}-01"],
        ).fetchone()
    return {"rows": int(rows), "cost": str(cost)}


# --- the re-delivery ----------------------------------------------------------------------------


def redeliver(generated: Path, latest: dict, landing: Path) -> dict:
    """Copy the newest legacy CUR delivery of a regenerated month into the landing, as AWS
    restates a month: a new assembly folder, and the manifest one folder up now naming it.
    Delivered a day after the newest CUR file of that month already in the landing."""
    assembly = (generated / latest["parts"][0]).parent
    period_dir = assembly.parent
    target_period = landing / period_dir.relative_to(generated / "landing")
    previous = max(p.stat().st_mtime for p in target_period.rglob("*") if p.is_file())
    delivered = int(previous) + 24 * 3600
    target = target_period / assembly.name
    if target.exists():
        raise SystemExit(f"the re-delivery's assembly {assembly.name} is already in the landing")
    shutil.copytree(assembly, target)
    copied = [*target.iterdir()]
    for manifest in period_dir.glob("*-Manifest.json"):
        shutil.copy(manifest, target_period / manifest.name)
        copied.append(target_period / manifest.name)
    for path in copied:
        os.utime(path, (delivered, delivered))
    return {
        "assembly": assembly.name,
        # What the generator recorded; the incremental run must leave exactly this live in raw.
        "rows": latest["rows"],
        "cost": str(Decimal(latest["cost"]).scaleb(-10)),
        "files": sorted(str(p.relative_to(landing)) for p in copied),
        "bytes": sum(p.stat().st_size for p in copied),
        "delivered_at": delivered,
    }


# --- the benchmark ------------------------------------------------------------------------------


def failure(m: Measurement) -> str | None:
    """Why a step failed, or None. A child killed by SIGKILL is, on this machine, the kernel's
    out-of-memory killer (nothing else here sends it)."""
    if m.exit_code == 0:
        return None
    if m.exit_code == -signal.SIGKILL:
        return "killed by SIGKILL: out of memory (the kernel's OOM killer)"
    if m.exit_code < 0:
        return f"killed by signal {-m.exit_code}"
    return f"exit code {m.exit_code}"


def run_benchmark(args: argparse.Namespace) -> dict:
    if not 1 <= args.redeliver_month <= args.months:
        raise SystemExit(f"--redeliver-month must be between 1 and {args.months}")
    workdir = Path(args.workdir).resolve()
    reused = reusable_generation(args, workdir) if args.reuse_landing else None
    if reused:
        # Everything but the landing: the warehouse, its spill and the logs of the last run.
        for path in workdir.iterdir():
            if path.name != "gen":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    out = Path(args.json).resolve() if args.json else workdir / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FINOPS_HOME": str(workdir / "home")}
    env["FINOPS_DBT_ARTIFACTS"] = "1"  # run_results.json, for the slowest nodes (dbt_nodes)
    landing = workdir / "gen" / "landing"
    warehouse = workdir / "warehouse.duckdb"
    planned = plan(args.months, args.rows_per_month, args.seed)
    redelivered = planned["periods"][args.redeliver_month - 1]
    result: dict = {
        "months": args.months,
        "rows_per_month": args.rows_per_month,
        "seed": args.seed,
        "redelivered_month": redelivered,
        "plan": planned,
        "steps": {},
        "failures": {},
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "duckdb": __import__("duckdb").__version__,
            "duckdb_memory_limit": os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT", "project default"),
        },
        "poll_interval_seconds": args.interval,
    }

    def save() -> None:
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")

    print(
        f"{args.months} months x ~{args.rows_per_month:,} rows: the generator expects "
        f"{planned['expected_rows']:,} rows",
        flush=True,
    )
    result["disk"] = disk_needed(
        workdir, planned["expected_rows"], args.months, args.seed, landing_on_disk=bool(reused)
    )
    save()

    def step(name: str, command: list[str]) -> Measurement | None:
        print(f"{name}: {' '.join(command)}", flush=True)
        m = measure(command, env, args.interval, workdir / f"{name}.log")
        result["steps"][name] = asdict(m)
        if why := failure(m):
            result["failures"][name] = why
            print(f"{name} failed ({why}):\n{m.output_tail}", flush=True)
        else:
            print(f"{name}: {m.wall_seconds:,.1f} s, peak RSS {m.peak_rss_bytes / MIB:,.0f} MiB")
        save()
        return None if why else m

    def pipeline_run(name: str) -> Measurement | None:
        m = step(
            name,
            [*finops_command(), "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        )
        if m:
            result["steps"][name].update(
                stages=stages(m, warehouse),
                warehouse_bytes=sum(
                    p.stat().st_size for p in workdir.glob("warehouse.duckdb*") if p.is_file()
                ),
                **counts(warehouse, m.started_at, m.ended_at),
                dbt_nodes=dbt_nodes(m.started_at, m.ended_at),
            )
            save()
        return m

    if reused:
        result["steps"]["generate"] = reused
        print(f"generate: reused from {reused['reused_from']}", flush=True)
    elif not step(
        "generate",
        child_command(
            "generate",
            str(workdir / "gen"),
            str(args.months),
            str(args.seed),
            str(planned["generator_rows"]),
            planned["periods"][0],
        ),
    ):
        return result
    if not pipeline_run("full run"):
        return result
    export = workdir / "focus.parquet"
    if not step(
        "full export",
        [*finops_command(), "export", "focus", "--warehouse", str(warehouse), "--out", str(export)],
    ):
        return result
    result["steps"]["full export"]["bytes"] = export.stat().st_size
    if not args.keep:
        export.unlink()

    # Another seed: other usage and a new assembly id; the payer and its accounts are fixed.
    regen = step(
        "re-delivery generate",
        child_command(
            "generate",
            str(workdir / "regen"),
            "1",
            str(args.seed + 1),
            str(args.rows_per_month),
            redelivered,
        ),
    )
    if not regen:
        return result
    result["redelivery"] = redeliver(
        workdir / "regen", regen.result["aws_cur_latest"][redelivered], landing
    )
    shutil.rmtree(workdir / "regen")
    save()
    incremental = pipeline_run("incremental run")
    if incremental:
        live = live_partition(warehouse, "aws_cur", redelivered)
        delivered = result["redelivery"]
        delivered["live_in_raw"] = live
        delivered["taken"] = (live["rows"], Decimal(live["cost"])) == (
            delivered["rows"],
            Decimal(delivered["cost"]),
        )
        full = result["steps"]["full run"]["wall_seconds"]
        result["ratio_incremental_to_full"] = round(incremental.wall_seconds / full, 4)
    if not args.keep:
        shutil.rmtree(workdir / "gen", ignore_errors=True)
        for path in workdir.glob("warehouse.duckdb*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return result


def reusable_generation(args: argparse.Namespace, workdir: Path) -> dict:
    """The generate step of an earlier run whose landing is still under WORKDIR/gen, unchanged:
    the same months, rows and seed, generated, and never re-delivered into."""
    earlier = json.loads(Path(args.reuse_landing).read_text())
    generated = earlier.get("steps", {}).get("generate")
    same = [earlier.get(k) == getattr(args, k) for k in ("months", "rows_per_month", "seed")]
    why = (
        "it was another size or seed"
        if not all(same)
        else "its generation failed"
        if not generated or earlier.get("failures", {}).get("generate")
        else "a month was re-delivered into its landing"
        if "redelivery" in earlier
        else f"{workdir / 'gen' / 'landing'} is gone"
        if not (workdir / "gen" / "landing").is_dir()
        else None
    )
    if why:
        raise SystemExit(f"cannot reuse the landing of {args.reuse_landing}: {why}")
    return {**generated, "reused_from": str(Path(args.reuse_landing).resolve())}


def verdict(result: dict) -> dict:
    steps = result["steps"]
    peaks = {name: s["peak_rss_bytes"] for name, s in steps.items()}
    ratio = result.get("ratio_incremental_to_full")
    return {
        "every_step_succeeded": not result["failures"] and "incremental run" in steps,
        "redelivery_loaded": result.get("redelivery", {}).get("taken", False),
        "peak_rss_under_8_gib": all(p < TARGET_PEAK_BYTES for p in peaks.values()),
        "incremental_within_one_sixth": ratio is not None and ratio <= TARGET_RATIO,
    }


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    steps = result["steps"]
    full = steps.get("full run", {}).get("wall_seconds", 0) + steps.get("full export", {}).get(
        "wall_seconds", 0
    )
    table = Table(
        title=f"{result['months']} months x ~{result['rows_per_month']:,} rows "
        f"({result['plan']['expected_rows']:,} expected), re-delivered "
        f"{result['redelivered_month']}; share = of the full build (run + export)"
    )
    for name in ("step", "wall s", "share", "CPU s", "peak RSS MiB", "rows/s"):
        table.add_column(name, justify="left" if name == "step" else "right")

    def share(seconds: float) -> str:
        return f"{seconds / full:.1%}" if full else ""

    def rate(rows: int | None, seconds: float) -> str:
        return f"{rows / seconds:,.0f}" if rows and seconds > 0 else ""

    for name, s in steps.items():
        wall = s["wall_seconds"]
        pipeline = name not in ("generate", "re-delivery generate")
        rows = s.get("rows_loaded") or s["result"].get("rows") or s.get("fct_rows")
        if name == "full export":
            rows = steps["full run"].get("fct_rows")
        status = f" [red]({result['failures'][name]})[/]" if name in result["failures"] else ""
        status += " (reused)" if s.get("reused_from") else ""
        table.add_row(
            f"{name}{status}",
            f"{wall:,.1f}",
            share(wall) if pipeline else "",
            f"{s['cpu_seconds']:,.1f}",
            f"{s['peak_rss_bytes'] / MIB:,.0f}",
            rate(rows, wall),
        )
        stage_rows = {"ingest": s.get("rows_loaded"), "transform": s.get("fct_rows")}
        for stage, label in STAGE_LABELS.items():
            if (seconds := s.get("stages", {}).get(stage)) is not None:
                table.add_row(
                    f"  {label}",
                    f"{seconds:,.1f}",
                    share(seconds),
                    "",
                    "",
                    rate(stage_rows.get(stage), seconds),
                )
    Console(width=120).print(table)
    for name, s in steps.items():
        if nodes := s.get("dbt_nodes"):
            print(f"{name}, dbt seconds per node type (summed over its threads):")
            print(
                "  "
                + ", ".join(f"{kind} {sec:,.1f}" for kind, sec in nodes["seconds_by_type"].items())
            )
            print("  slowest: " + ", ".join(f"{node} {sec:.1f}" for node, sec in nodes["slowest"]))
    ratio = result.get("ratio_incremental_to_full")
    if ratio is not None:
        print(f"incremental / full finops run: {ratio:.3f} (target <= {TARGET_RATIO:.3f})")
    for name, ok in result["verdict"].items():
        print(f"{'met' if ok else 'NOT met'}: {name.replace('_', ' ')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows-per-month", type=int, default=8_000_000)
    parser.add_argument(
        "--redeliver-month", type=int, default=6, help="which month AWS restates (1 = the first)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default=str(ROOT / ".finops" / "bench" / "scale"))
    parser.add_argument("--interval", type=float, default=0.5, help="memory poll interval (s)")
    parser.add_argument("--keep", action="store_true", help="keep the landing, warehouse, export")
    parser.add_argument("--json", default=None, help="results file (default: WORKDIR/results.json)")
    parser.add_argument(
        "--reuse-landing",
        metavar="RESULTS_JSON",
        help="skip the generation: reuse WORKDIR/gen, generated by the run that wrote RESULTS_JSON",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    result = run_benchmark(args)
    result["verdict"] = verdict(result)
    out = Path(args.json or Path(args.workdir) / "results.json")
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print_table(result)
    print(f"results: {out}")
    sys.exit(0 if all(result["verdict"].values()) else 1)


if __name__ == "__main__":
    main()
