"""Build time of marts.fct_cost_and_usage against DuckDB's own copy of the same Parquet (the floor).

One billing month is generated with the project's generator; only its AWS CUR 2.0 Parquet
file(s) go to a landing directory of their own, sized so that they hold about ``--rows`` line
items. Then, in one run on one machine, each step in a child process:

1. ``ingest()`` loads them into a fresh warehouse (timed, outside the comparison), and the
   warehouse is checkpointed so the build does not inherit a WAL;
2. the floor: a fresh DuckDB process runs
   ``CREATE TABLE copy AS SELECT * FROM read_parquet([...]); CHECKPOINT`` into a scratch
   database file (the checkpoint is where DuckDB finishes compressing a bulk insert; without
   it the work moves to ``close()``). It runs twice, before and after the build; the floor is
   their mean, so a change in the (shared) machine's load falls on both sides;
3. the build: ``dbt seed`` (setup), then ``dbt run --select +fct_cost_and_usage``. Build
   time = the model's execution (dbt's ``run_results.json``) + dbt's exit tail (its last log
   line to process exit: closing the warehouse, i.e. DuckDB's checkpoint of what it wrote);
   the whole command's wall time is reported beside it. Then
   ``dbt build --select fct_cost_and_usage`` (the model again plus its tests and unit tests)
   unless ``--no-tests``.

Memory: each child's peak RSS from ``wait4`` (exact; the largest process of its tree) and the
highest sample of the tree's summed PSS (every ``--interval`` s; ``benchmarks/_measure.py``).
CPU seconds (user + system, from ``wait4``) are reported too: on a busy machine they vary less
than wall time.
Target: build <= 2 x floor and peak RSS < 4 GiB. ``--memory-limit`` sets DuckDB's
``memory_limit`` for the floor and for dbt (dbt's profile reads FINOPS_DUCKDB_MEMORY_LIMIT);
the default is the project's own (3GB). Without a limit DuckDB takes 80% of RAM and its
buffer cache alone passes 4 GiB at 10M rows. A table goes to stdout, the figures to JSON
(``--json``).

    .venv/bin/python benchmarks/focus_build.py --rows 1000000
    .venv/bin/python benchmarks/focus_build.py --rows 10000000

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

import psutil
from _measure import RESULT_PREFIX, Measurement, check, measure  # benchmarks/ is on sys.path

from finops_warehouse.warehouse_connection import duckdb_memory_limit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = "fct_cost_and_usage"
TARGET_RATIO = 2.0  # build (model + exit checkpoint) <= 2 x the floor
TARGET_PEAK_BYTES = 4 * 1024**3  # peak RSS < 4 GiB
MIB = 1024 * 1024


# --- child steps (run as `focus_build.py --child STEP ...`) ----------------------------------


def child_ingest(warehouse: str, landing: str, quarantine: str) -> dict:
    import logging

    from finops_warehouse.ingest import ingest

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    started = time.perf_counter()
    report = ingest(Path(warehouse), landing, Path(quarantine))
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "status": [f.status for f in report.files],
        "rows": sum(f.rows or 0 for f in report.files),
    }


def child_floor(database: str, memory_limit: str, files: list[str]) -> dict:
    """The copy, then the checkpoint that makes it durable and compressed.

    DuckDB writes a bulk insert's row groups at commit but compresses them fully only at the
    next checkpoint (here a large part of the work: the file about doubles). Without an
    explicit CHECKPOINT that work would fall in ``close()``; dbt pays it too (inside the
    model when an automatic checkpoint runs at commit, else when dbt closes the warehouse,
    which the exit tail below measures), so the floor counts it.
    """
    import duckdb

    con = duckdb.connect(database)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    started = time.perf_counter()
    con.execute("CREATE TABLE copy AS SELECT * FROM read_parquet(?)", [files])
    copied = time.perf_counter()
    con.execute("CHECKPOINT")
    done = time.perf_counter()
    rows = con.execute("SELECT count(*) FROM copy").fetchone()[0]
    con.close()
    return {
        "seconds": round(done - started, 3),
        "ctas_seconds": round(copied - started, 3),
        "checkpoint_seconds": round(done - copied, 3),
        "rows": rows,
        "bytes": Path(database).stat().st_size,
        "memory_limit": limit,
    }


def child_checkpoint(database: str) -> dict:
    """CHECKPOINT the warehouse, so no step inherits a WAL from the one before."""
    import duckdb

    con = duckdb.connect(database)
    started = time.perf_counter()
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": round(seconds, 3)}


def run_child(args: argparse.Namespace) -> None:
    if args.child == "ingest":
        result = child_ingest(*args.child_args)
    elif args.child == "floor":
        result = child_floor(args.child_args[0], args.child_args[1], args.child_args[2:])
    elif args.child == "checkpoint":
        result = child_checkpoint(args.child_args[0])
    else:
        raise SystemExit(f"unknown child step {args.child}")
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def child_command(step: str, *step_args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", step, *step_args]


# --- generating the CUR 2.0 Parquet ----------------------------------------------------------


def plan_generator_rows(target: int, seed: int) -> tuple[int, int]:
    """The generator ``rows`` whose CUR 2.0 share is about ``target`` rows (one month).

    ``generate(rows=N)`` spreads N over every provider (README: a fleet per unit of scale,
    ``FLEET_SHARE``; the legacy CUR is delivered twice in a first month), so the CUR 2.0 file
    holds only about a fifth of N. Its row count is linear in the fleet scale: two probes give
    the scale for ``target``; the total the generator then expects is what ``rows`` must be.
    Returns (rows to request, CUR 2.0 rows expected).
    """
    from finops_generator import DEFAULT_START, build_world
    from finops_generator.periods import month_range

    months = month_range(DEFAULT_START, 1)

    def at(scale: int) -> tuple[int, int]:
        world = build_world(months, seed, scale, finalize=False)
        cur2 = sum(world.cur2.expected_rows(m, world.cur2.active_counts(m)) for m in months)
        return cur2, world.expected_rows

    base, _ = at(0)
    probe = 200
    per_unit = max((at(probe)[0] - base) / probe, 1.0)
    scale = max(0, round((target - base) / per_unit))
    got, _ = at(scale)
    scale = max(0, round(scale + (target - got) / per_unit))
    cur2, total = at(scale)
    return total, cur2


def generate_cur2(workdir: Path, target: int, seed: int, generator_rows: int | None) -> dict:
    """Generate one month; keep only the CUR 2.0 Parquet under ``workdir/landing``."""
    from finops_generator import generate

    expected = None
    if generator_rows is None:
        generator_rows, expected = plan_generator_rows(target, seed)
    gen = workdir / "gen"
    print(f"generating one month, rows={generator_rows:,} (CUR 2.0 expected: {expected or '?'})")
    started = time.perf_counter()
    truth = generate(gen, months=1, seed=seed, rows=generator_rows, progress=print)
    seconds = time.perf_counter() - started
    landing = workdir / "landing"
    files = []
    for f in truth.files:
        if f.format == "aws_cur2" and f.path.endswith(".parquet") and not f.superseded:
            target_path = landing / Path(f.path).relative_to("landing")
            target_path.parent.mkdir(parents=True, exist_ok=True)
            os.link(gen / f.path, target_path)  # survives removing gen/
            shutil.copystat(gen / f.path, target_path)
            files.append({"path": str(target_path), "rows": f.rows, "bytes": f.bytes})
    written = truth.rows_written
    shutil.rmtree(gen)  # the other formats: several GB at 10M CUR 2.0 rows
    if not files:
        raise SystemExit("the generator wrote no CUR 2.0 Parquet")
    return {
        "generator_rows": generator_rows,
        "generator_rows_written": written,
        "generator_seconds": round(seconds, 1),
        "cur2_rows_expected": expected,
        "files": files,
        "rows": sum(f["rows"] for f in files),
        "bytes": sum(f["bytes"] for f in files),
    }


# --- dbt ---------------------------------------------------------------------------------------


def dbt_command(workdir: Path, *args: str) -> list[str]:
    dbt = Path(sys.executable).with_name("dbt")
    return [
        str(dbt),
        *args,
        "--profiles-dir",
        str(ROOT / "dbt"),
        "--project-dir",
        str(ROOT),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]


def node_timings(workdir: Path, keep_as: str) -> dict:
    """Per-node execution seconds of the last dbt command (run_results.json), kept a copy of."""
    path = workdir / "target" / "run_results.json"
    shutil.copy(path, workdir / keep_as)
    results = json.loads(path.read_text())["results"]
    out = {}
    for r in results:
        execute = next((t for t in r.get("timing", []) if t["name"] == "execute"), None)
        out[r["unique_id"]] = {
            "status": r["status"],
            "execution_time": round(r["execution_time"], 3),
            "execute_seconds": (
                round(_seconds(execute["started_at"], execute["completed_at"]), 3)
                if execute and execute.get("started_at") and execute.get("completed_at")
                else None
            ),
        }
    return out


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    def parse(s: str) -> datetime:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def dbt_phases(workdir: Path, m: Measurement) -> dict:
    """Where the wall time of one dbt command went, from the timestamps of ``logs/dbt.log``:
    start-up (process start to its first line), the logged part, and the exit tail (its
    last line to process exit: closing the warehouse, i.e. DuckDB's checkpoint)."""
    import re
    from datetime import datetime, timedelta

    stamp = re.compile(r"^(?:\x1b\[0m)?(\d{2}):(\d{2}):(\d{2})\.(\d{6}) ")
    start = datetime.fromtimestamp(m.started_at)
    end = datetime.fromtimestamp(m.ended_at)
    times = []
    for line in (workdir / "logs" / "dbt.log").read_text(errors="replace").splitlines():
        hit = stamp.match(line)
        if not hit:
            continue
        h, mi, se, us = (int(g) for g in hit.groups())
        t = start.replace(hour=h, minute=mi, second=se, microsecond=us)
        if t < start - timedelta(hours=12):  # the command crossed midnight
            t += timedelta(days=1)
        if start <= t <= end + timedelta(seconds=1):
            times.append(t)
    if not times:
        return {}
    first, last = min(times), max(times)
    return {
        "startup_seconds": round((first - start).total_seconds(), 3),
        "logged_seconds": round((last - first).total_seconds(), 3),
        "exit_tail_seconds": round((end - last).total_seconds(), 3),
    }


def model_seconds(nodes: dict) -> float:
    node = nodes[f"model.finops.{MODEL}"]
    return node["execute_seconds"] or node["execution_time"]


def warehouse_counts(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = con.execute("SELECT count(*) FROM raw.aws_cur2").fetchone()[0]
        by_format = dict(
            con.execute(
                f"SELECT x_SourceFormat, count(*) FROM marts.{MODEL} GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
    return {"raw_aws_cur2": raw, "mart_by_source_format": by_format}


# --- the benchmark -------------------------------------------------------------------------------


def run_benchmark(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    (workdir / "logs").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    source = generate_cur2(workdir, args.rows, args.seed, args.generator_rows)
    files = [f["path"] for f in source["files"]]
    print(f"input: {source['rows']:,} CUR 2.0 rows, {source['bytes'] / MIB:,.0f} MiB Parquet")

    warehouse = workdir / "warehouse.duckdb"

    def step(name: str, command: list[str], log: str, environ: dict = env) -> Measurement:
        print(name, flush=True)
        return check(measure(command, environ, args.interval, workdir / log), name)

    def checkpoint(log: str) -> Measurement:
        return step("CHECKPOINT the warehouse", child_command("checkpoint", str(warehouse)), log)

    ingest = step(
        "ingest()",
        child_command(
            "ingest", str(warehouse), str(workdir / "landing"), str(workdir / "quarantine")
        ),
        "ingest.log",
    )
    if any(s not in ("loaded", "replaced") for s in ingest.result["status"]):
        raise SystemExit(f"ingest did not load every file: {ingest.result}")
    checkpoint("checkpoint-after-ingest.log")

    def floor(n: int) -> Measurement:
        scratch = workdir / f"floor-{n}.duckdb"
        m = step(
            f"floor {n}: CREATE TABLE copy AS SELECT * FROM read_parquet(...); CHECKPOINT",
            child_command("floor", str(scratch), args.memory_limit, *files),
            f"floor-{n}.log",
        )
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
        return m

    dbt_env = {
        **env,
        "FINOPS_WAREHOUSE": str(warehouse),
        "FINOPS_DBT_TARGET": "dev",
        "FINOPS_DUCKDB_MEMORY_LIMIT": args.memory_limit,
    }
    floor_before = floor(1)
    seed = step("dbt seed (setup)", dbt_command(workdir, "seed"), "dbt-seed.log", dbt_env)
    checkpoint("checkpoint-after-seed.log")
    run = step(
        f"dbt run --select +{MODEL}",
        dbt_command(workdir, "run", "--select", f"+{MODEL}"),
        "dbt-run.log",
        dbt_env,
    )
    run_phases = dbt_phases(workdir, run)
    run_nodes = node_timings(workdir, "run_results-run.json")
    leftover = checkpoint("checkpoint-after-run.log")
    floor_after = floor(2)

    build = build_nodes = None
    if not args.no_tests:
        print(f"dbt build --select {MODEL}", flush=True)
        build = measure(
            dbt_command(workdir, "build", "--select", MODEL),
            dbt_env,
            args.interval,
            workdir / "dbt-build.log",
        )
        build_nodes = node_timings(workdir, "run_results-build.json")

    counts = warehouse_counts(warehouse)
    floors = (floor_before, floor_after)
    floor_seconds = sum(f.result["seconds"] for f in floors) / 2
    floor_wall = sum(f.wall_seconds for f in floors) / 2
    floor_cpu = sum(f.cpu_seconds for f in floors) / 2
    floor_peak = max(f.peak_rss_bytes for f in floors)
    model = model_seconds(run_nodes)
    # The model's execution plus closing the warehouse (DuckDB's checkpoint of what it wrote)
    built = model + run_phases.get("exit_tail_seconds", 0.0)
    peak = max(run.peak_rss_bytes, build.peak_rss_bytes if build else 0)
    ratios = {
        "build_vs_floor": round(built / floor_seconds, 3),
        "model_vs_floor": round(model / floor_seconds, 3),
        "dbt_run_wall_vs_floor_wall": round(run.wall_seconds / floor_wall, 3),
        "dbt_run_cpu_vs_floor_cpu": round(run.cpu_seconds / floor_cpu, 3),
        "peak_rss_dbt_run_vs_floor": round(run.peak_rss_bytes / floor_peak, 3),
    }
    tests = None
    if build and build_nodes:
        tests = {
            "exit_code": build.exit_code,
            "wall_seconds": build.wall_seconds,
            "model_seconds": model_seconds(build_nodes),
            "tests_seconds": round(
                sum(
                    n["execution_time"]
                    for uid, n in build_nodes.items()
                    if uid.startswith(("test.", "unit_test."))
                ),
                3,
            ),
            "tests": sum(1 for uid in build_nodes if uid.startswith(("test.", "unit_test."))),
            "failed": [
                uid for uid, n in build_nodes.items() if n["status"] not in ("success", "pass")
            ],
            "slowest": sorted(
                ((n["execution_time"], uid, n["status"]) for uid, n in build_nodes.items()),
                reverse=True,
            )[:8],
        }
    result = {
        "input": source,
        "ingest": asdict(ingest),
        "floor": {
            "seconds": round(floor_seconds, 3),
            "wall_seconds": round(floor_wall, 3),
            "cpu_seconds": round(floor_cpu, 3),
            "peak_rss_bytes": floor_peak,
            "before_build": asdict(floor_before),
            "after_build": asdict(floor_after),
        },
        "dbt_seed": asdict(seed),
        "dbt_run": {
            **asdict(run),
            "model_seconds": model,
            "build_seconds": round(built, 3),
            "phases": run_phases,
            "checkpoint_left_for_next_connection_seconds": leftover.result["seconds"],
            "nodes": run_nodes,
        },
        "dbt_build": {**asdict(build), "summary": tests, "nodes": build_nodes} if build else None,
        "counts": counts,
        "ratios": ratios,
        "target": {"build_vs_floor": TARGET_RATIO, "peak_rss_bytes": TARGET_PEAK_BYTES},
        "meets_target": ratios["build_vs_floor"] <= TARGET_RATIO and peak < TARGET_PEAK_BYTES,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "load_average_at_end": os.getloadavg(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "duckdb": __import__("duckdb").__version__,
        },
        "duckdb_memory_limit": args.memory_limit,
        "poll_interval_seconds": args.interval,
    }
    if not args.keep:
        for name in ("landing", "warehouse.duckdb", "warehouse.duckdb.wal", "quarantine"):
            path = workdir / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(True)
    return result


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    run, floor, ratios = result["dbt_run"], result["floor"], result["ratios"]
    table = Table(
        title=f"{MODEL} from {result['input']['rows']:,} AWS CUR 2.0 rows (Parquet), "
        f"DuckDB memory_limit: {result['duckdb_memory_limit']}"
    )
    for name in ("", "seconds", "CPU s", "peak RSS (MiB)", "/ floor"):
        table.add_column(name, justify="left" if not name else "right")

    def row(label: str, seconds: float, m: dict | None = None, ratio: float | None = None) -> None:
        table.add_row(
            label,
            f"{seconds:.2f}",
            f"{m['cpu_seconds']:.1f}" if m else "",
            f"{m['peak_rss_bytes'] / MIB:,.0f}" if m else "",
            f"{ratio:.2f}" if ratio is not None else "",
        )

    row("ingest() (not compared)", result["ingest"]["result"]["seconds"], result["ingest"])
    for n, key in ((1, "before_build"), (2, "after_build")):
        f = floor[key]
        r = f["result"]
        row(
            f"floor {n}: CTAS {r['ctas_seconds']:.1f} + CHECKPOINT {r['checkpoint_seconds']:.1f}",
            r["seconds"],
            f,
        )
    table.add_row(
        "floor (mean of 1 and 2)",
        f"{floor['seconds']:.2f}",
        "",
        f"{floor['peak_rss_bytes'] / MIB:,.0f}",
        "1.00",
    )
    phases = run["phases"]
    tail = phases.get("exit_tail_seconds", 0.0)
    row(
        f"build: model {run['model_seconds']:.1f} + exit checkpoint {tail:.1f}",
        run["build_seconds"],
        None,
        ratios["build_vs_floor"],
    )
    row(f"  {MODEL} alone (run_results)", run["model_seconds"], None, ratios["model_vs_floor"])
    row(f"dbt run --select +{MODEL} (whole command)", run["wall_seconds"], run, None)
    table.add_row(
        "  whole command vs floor process",
        f"{floor['wall_seconds']:.2f}",
        f"{floor['cpu_seconds']:.1f}",
        "",
        f"{ratios['dbt_run_wall_vs_floor_wall']:.2f}",
    )
    build = result["dbt_build"]
    if build:
        s = build["summary"]
        row(f"dbt build --select {MODEL} (+ tests)", build["wall_seconds"], build)
        if s:
            row("  of which the model", s["model_seconds"])
            row(f"  of which {s['tests']} tests + unit tests", s["tests_seconds"])
    Console(width=120).print(table)
    counts = result["counts"]
    print(
        f"raw.aws_cur2 {counts['raw_aws_cur2']:,} rows; mart rows by source "
        f"{counts['mart_by_source_format']}; dbt run phases {phases}"
    )
    if build and build["summary"] and (build["exit_code"] or build["summary"]["failed"]):
        print(f"dbt build: exit {build['exit_code']}, not passing: {build['summary']['failed']}")
    verdict = "meets" if result["meets_target"] else "does NOT meet"
    print(
        f"{verdict} the target (build <= {TARGET_RATIO} x floor, peak RSS < "
        f"{TARGET_PEAK_BYTES / 1024**3:.0f} GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="AWS CUR 2.0 rows wanted")
    parser.add_argument(
        "--generator-rows", type=int, default=None, help="override the planned generator rows"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default=str(ROOT / ".finops" / "bench" / "focus-build"))
    parser.add_argument("--interval", type=float, default=0.05, help="RSS poll interval (s)")
    parser.add_argument("--no-tests", action="store_true", help="skip dbt build (tests)")
    parser.add_argument(
        "--memory-limit",
        default=duckdb_memory_limit(),
        help="DuckDB memory_limit for the floor and dbt (default: the project's, "
        "FINOPS_DUCKDB_MEMORY_LIMIT or 3GB)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the landing and warehouse")
    parser.add_argument("--json", default=None, help="results file (default: WORKDIR/results.json)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    result = run_benchmark(args)
    out = Path(args.json or Path(args.workdir) / "results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"results: {out}")
    sys.exit(0 if result["meets_target"] else 1)


if __name__ == "__main__":
    main()
