"""The race: the FinOps Foundation's FOCUS converter, this warehouse and DuckDB's floor.

For each size in ``--rows`` (default 512,000 and 2,048,000 legacy CUR rows), the project's
generator writes one legacy AWS CUR CSV; three commands read that same file, one after the other:

(a) the converter: ``focus-converter convert --provider aws-cur`` (PyPI ``focus-converter``
    1.0.0, in its own virtualenv under ``.finops/tools/``);
(b) ours: ``finops run --landing <a directory holding only that file> --warehouse <new file>``
    then ``finops export focus --out <file>.parquet`` (ingest + GX suite + every dbt model and
    test + the Parquet export: more work than (a), which only converts);
(c) the floor: a fresh process runs ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` into a new
    DuckDB file, then ``CHECKPOINT``, with the project's ``memory_limit``. The CSV is read as
    ingestion reads a CUR CSV: header row, no type detection, every column VARCHAR (raw keeps
    text), ``,`` delimiter, ``"`` quote and escape, strict mode.

Each is measured by ``_measure.measure``: wall time, CPU seconds of the process tree, peak memory
(the tree's summed PSS at its highest sample, and the largest single RSS), exit code. A command
killed by a signal, or failing with a MemoryError or an out-of-memory message, is recorded as
"out of memory" with the peak seen, and the race goes on. The CSV is deleted once its size is
done (logs stay in ``WORKDIR/logs``).

Targets (issue 13), ours = (b):
- every size of 512,000 rows or more: ours time <= 2 x the converter's;
- the largest size, if it is 2,000,000 rows or more: ours faster than the converter, ours peak
  memory <= 1/4 of the converter's, ours time <= 2.5 x the floor.
A converter that ran out of memory gave no FOCUS file: the targets against it count as met
when ours succeeded. Exit code 0 when every target that applies is met and (b) and (c)
succeeded at every size.

    .venv/bin/python benchmarks/focus_converter.py                  # 512k and 2M rows
    .venv/bin/python benchmarks/focus_converter.py --rows 20000 50000 --json /tmp/race.json

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import duckdb
import psutil
from _measure import RESULT_PREFIX, Measurement, combine, measure  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONVERTER_REQUIREMENTS = (
    "focus-converter==1.0.0",
    # focus-converter 1.0.0 leaves these open and does not start with their current releases
    "multimethod<1.11",
    "click<8.2",
    "typer<0.13",
)
DEFAULT_ROWS = (512_000, 2_048_000)
OOM_MESSAGES = ("memoryerror", "out of memory", "memory allocation of", "cannot allocate memory")
MIB = 1024 * 1024


def ensure_converter(venv: Path) -> Path:
    """The converter's virtualenv (created once, reused); returns its ``focus-converter``."""
    exe = venv / "bin" / "focus-converter"
    marker = venv / ".finops-requirements"
    wanted = "\n".join(CONVERTER_REQUIREMENTS)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.is_file() and marker.read_text() == wanted and exe.exists()):
            print(f"creating {venv} ({', '.join(CONVERTER_REQUIREMENTS)})", flush=True)
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    *CONVERTER_REQUIREMENTS,
                ],
                check=True,
            )
            marker.write_text(wanted)
    return exe


def generate_cur(workdir: Path, target_rows: int, seed: int) -> tuple[Path, int]:
    """A plain legacy CUR CSV of about ``target_rows`` rows from the project's generator.

    The generator splits a month's CUR into parts (one delivery); a part alone is not a whole
    bill (the commitment purchases sit in one part, the usage they cover in others), so the
    parts of the final delivery, which share one header, are concatenated into one CSV.
    ``generate(rows=...)`` scales all formats together, so the legacy CUR share is measured
    and the total rescaled once or twice until the CSV is within 5% of the target.
    """
    from finops_generator import generate

    gen_dir = workdir / "generated"
    total = target_rows
    for _ in range(3):
        truth = generate(gen_dir, months=1, seed=seed, rows=total)
        deliveries: dict[str, list] = {}
        for f in truth.files:
            if f.format == "aws_cur" and not f.superseded:
                deliveries.setdefault(f.delivery, []).append(f)
        parts = max(deliveries.values(), key=lambda fs: sum(f.rows for f in fs))
        rows = sum(f.rows for f in parts)
        if abs(rows - target_rows) <= 0.05 * target_rows:
            break
        total = int(total * target_rows / max(rows, 1))
    csv_path = workdir / "input" / "cur.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "wb") as dst:
        for i, part in enumerate(parts):
            source = gen_dir / part.path
            opener = gzip.open if source.name.endswith(".gz") else open
            with opener(source, "rb") as src:
                if i:
                    src.readline()  # the header, written once
                shutil.copyfileobj(src, dst, 1 << 20)
    shutil.rmtree(gen_dir)
    return csv_path, rows


def parquet_rows(path: Path) -> int | None:
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet")) if path.exists() else []
    if not files:
        return None
    with duckdb.connect() as con:
        return con.execute(
            "SELECT count(*) FROM read_parquet(?)", [[str(f) for f in files]]
        ).fetchone()[0]


def finops_command() -> list[str]:
    script = Path(sys.executable).with_name("finops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "finops_warehouse.cli"]


def outcome(m: Measurement) -> str:
    """``ok``, ``out of memory`` (killed by a signal, or a memory error in its output), or the
    exit code."""
    if m.exit_code == 0:
        return "ok"
    if m.exit_code < 0 or any(s in m.output_tail.lower() for s in OOM_MESSAGES):
        return "out of memory"
    return f"exit {m.exit_code}"


def run_converter(
    converter: Path, csv_path: Path, workdir: Path, log: Path, args: argparse.Namespace
) -> dict:
    out = workdir / "converter-out"
    m = measure(
        [
            str(converter),
            "convert",
            "--provider",
            "aws-cur",
            "--data-format",
            "csv",
            "--data-path",
            str(csv_path),
            "--export-path",
            str(out),
            "--export-format",
            "parquet",
            "--no-export-include-source-columns",
        ],
        {**os.environ, "COLUMNS": "120"},
        args.interval,
        log,
    )
    return {**asdict(m), "outcome": outcome(m), "output_rows": parquet_rows(out)}


def run_finops(
    csv_path: Path, workdir: Path, logs: tuple[Path, Path], args: argparse.Namespace
) -> dict:
    landing = workdir / "landing"
    landing.mkdir()
    os.link(csv_path, landing / csv_path.name)
    warehouse = workdir / "warehouse.duckdb"
    out = workdir / "finops-focus.parquet"
    env = {
        **os.environ,
        "COLUMNS": "120",
        "FINOPS_HOME": str(workdir / "home"),
        "DAGSTER_HOME": str(workdir / "home" / "dagster"),
    }
    finops = finops_command()
    run = measure(
        [*finops, "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        env,
        args.interval,
        logs[0],
    )
    export = measure(
        [*finops, "export", "focus", "--warehouse", str(warehouse), "--out", str(out)],
        env,
        args.interval,
        logs[1],
    )
    both = combine(run, export)
    return {
        **asdict(both),
        "outcome": outcome(both),
        "output_rows": parquet_rows(out),
        "run": asdict(run),
        "export": asdict(export),
    }


def run_floor(csv_path: Path, workdir: Path, log: Path, args: argparse.Namespace) -> dict:
    # Imported here, not at the top: the floor's child runs this file and should start as fast
    # as DuckDB alone does (the project's package takes 0.2 s to import).
    from finops_warehouse.warehouse_connection import duckdb_memory_limit

    command = [sys.executable, str(Path(__file__).resolve()), "--floor"]
    m = measure(
        [*command, str(workdir / "floor.duckdb"), str(csv_path), duckdb_memory_limit()],
        dict(os.environ),
        args.interval,
        log,
    )
    return {**asdict(m), "outcome": outcome(m), "output_rows": m.result.get("rows")}


def child_floor(database: str, csv_path: str, memory_limit: str) -> dict:
    """DuckDB's own read of the CSV into a table, made durable and compressed by CHECKPOINT
    (without it that work would fall in ``close()``)."""
    with open(csv_path, newline="") as f:
        header = next(csv.reader(f))
    # Positional names, as ingestion reads a CSV: a CUR header can hold names that differ only
    # in case (tag columns), which DuckDB's column names cannot.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    con = duckdb.connect(database)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    started = time.perf_counter()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
        "strict_mode = true, null_padding = false)",
        [csv_path],
    )
    copied = time.perf_counter()
    con.execute("CHECKPOINT")
    done = time.perf_counter()
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.close()
    return {
        "ctas_seconds": round(copied - started, 3),
        "checkpoint_seconds": round(done - copied, 3),
        "rows": rows,
        "bytes": Path(database).stat().st_size,
        "memory_limit": limit,
    }


def targets(wanted: int, largest: int) -> list[tuple[str, str, float, bool]]:
    """The targets at a size: (label, ratio key, limit, strict ``<``)."""
    out = []
    if wanted >= 512_000:
        out.append(("ours time <= 2 x converter", "time_vs_converter", 2.0, False))
    if wanted == largest and wanted >= 2_000_000:
        out += [
            ("ours faster than converter", "time_vs_converter", 1.0, True),
            ("ours peak memory <= 1/4 converter", "memory_vs_converter", 0.25, False),
            ("ours time <= 2.5 x floor", "time_vs_floor", 2.5, False),
        ]
    return out


def judge(size: dict, label: str, key: str, limit: float, strict: bool) -> dict:
    peer = "converter" if key.endswith("converter") else "floor"
    value = size["ratios"][key]
    if size["finops"]["outcome"] != "ok":
        met, why = False, "ours failed"
    elif peer == "converter" and size[peer]["outcome"] == "out of memory":
        met, why = True, "converter out of memory"
    elif size[peer]["outcome"] != "ok":
        met, why = False, f"{peer} failed"
    else:
        met, why = (value < limit if strict else value <= limit), ""
    return {"target": label, "ratio": key, "value": value, "limit": limit, "met": met, "why": why}


def race_size(
    wanted: int, largest: int, converter: Path, workdir: Path, args: argparse.Namespace
) -> dict:
    size_dir = workdir / str(wanted)
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[{wanted:,}] generating a legacy CUR CSV", flush=True)
    csv_path, rows = generate_cur(size_dir, wanted, args.seed)
    size_bytes = csv_path.stat().st_size
    print(f"[{wanted:,}] input: {rows:,} rows, {size_bytes:,} bytes", flush=True)
    print(f"[{wanted:,}] (a) focus-converter", flush=True)
    conv = run_converter(converter, csv_path, size_dir, logs / f"{wanted}-converter.log", args)
    print(f"[{wanted:,}] (b) finops run + finops export focus", flush=True)
    run_logs = (logs / f"{wanted}-finops-run.log", logs / f"{wanted}-finops-export.log")
    ours = run_finops(csv_path, size_dir, run_logs, args)
    print(f"[{wanted:,}] (c) DuckDB floor", flush=True)
    floor_log = logs / f"{wanted}-floor.log"
    floor = run_floor(csv_path, size_dir, floor_log, args)
    run_own_logs = size_dir / "warehouse.duckdb.finops" / "logs"
    if run_own_logs.is_dir():  # the run's stage timestamps outlive the warehouse
        shutil.copytree(run_own_logs, logs / f"{wanted}-finops-logs")
    shutil.rmtree(size_dir)  # the CSV, the outputs and the warehouses: disk, at 2M rows

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 3) if b else None

    size = {
        "rows_wanted": wanted,
        "input": {"rows": rows, "bytes": size_bytes},
        "converter": {**conv, "version": CONVERTER_REQUIREMENTS[0]},
        "finops": ours,
        "floor": floor,
        "ratios": {
            "time_vs_converter": ratio(ours["wall_seconds"], conv["wall_seconds"]),
            "cpu_vs_converter": ratio(ours["cpu_seconds"], conv["cpu_seconds"]),
            "memory_vs_converter": ratio(ours["peak_tree_bytes"], conv["peak_tree_bytes"]),
            "time_vs_floor": ratio(ours["wall_seconds"], floor["wall_seconds"]),
            "cpu_vs_floor": ratio(ours["cpu_seconds"], floor["cpu_seconds"]),
        },
    }
    size["targets"] = [judge(size, *t) for t in targets(wanted, largest)]
    return size


def print_tables(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title="Legacy CUR -> FOCUS: (a) focus-converter 1.0.0, (b) finops run + export focus, "
        "(c) DuckDB read_csv + CHECKPOINT"
    )
    heads = ("CUR rows", "", "wall s", "CPU s", "peak PSS MiB", "max RSS MiB", "rows out", "")
    for i, name in enumerate(heads):
        table.add_column(name, justify="left" if i in (1, 7) else "right")
    labels = {
        "converter": "(a) converter",
        "finops": "(b) ours",
        "floor": "(c) floor",
    }
    for size in result["sizes"]:
        first = f"{size['input']['rows']:,} ({size['input']['bytes'] / MIB:,.0f} MiB)"
        for key, label in labels.items():
            m = size[key]
            table.add_row(
                first if key == "converter" else "",
                label,
                f"{m['wall_seconds']:.1f}",
                f"{m['cpu_seconds']:.1f}",
                f"{m['peak_tree_bytes'] / MIB:,.0f}",
                f"{m['peak_rss_bytes'] / MIB:,.0f}",
                f"{m['output_rows']:,}" if m["output_rows"] is not None else "-",
                m["outcome"],
            )
        table.add_section()
    console.print(table)

    ratios = Table(title="Ours / converter and ours / floor")
    columns = {
        "time / conv": "time_vs_converter",
        "CPU / conv": "cpu_vs_converter",
        "peak / conv": "memory_vs_converter",
        "time / floor": "time_vs_floor",
        "CPU / floor": "cpu_vs_floor",
    }
    for name in ("CUR rows", *columns):
        ratios.add_column(name, justify="right")
    for size in result["sizes"]:
        r = size["ratios"]
        values = (f"{r[k]:.2f}" if r[k] is not None else "-" for k in columns.values())
        ratios.add_row(f"{size['input']['rows']:,}", *values)
    console.print(ratios)

    for size in result["sizes"]:
        for key in labels:
            if size[key]["outcome"] != "ok":
                print(f"{size['rows_wanted']:,}: {key} {size[key]['outcome']}:")
                print(size[key]["output_tail"])
        for t in size["targets"]:
            note = f" ({t['why']})" if t["why"] else ""
            verdict = "met" if t["met"] else "NOT met"
            print(f"{size['rows_wanted']:,} rows: {t['target']}: {t['value']} -> {verdict}{note}")
    if not any(size["targets"] for size in result["sizes"]):
        print("no target applies at these sizes (512k rows and more)")
    verdict = "met" if result["meets_targets"] else "NOT met (or ours or the floor failed)"
    print(f"every target that applies: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_ROWS))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default=str(ROOT / ".finops" / "bench" / "focus-converter"))
    parser.add_argument(
        "--converter-venv", default=str(ROOT / ".finops" / "tools" / "focus-converter-venv")
    )
    parser.add_argument("--interval", type=float, default=0.05, help="memory poll interval (s)")
    parser.add_argument("--json", default=None, help="results file (default: WORKDIR/results.json)")
    parser.add_argument("--floor", nargs=3, help=argparse.SUPPRESS)  # the child of (c)
    args = parser.parse_args()
    if args.floor:
        print(RESULT_PREFIX + json.dumps(child_floor(*args.floor)), flush=True)
        return

    workdir = Path(args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    out = Path(args.json or workdir / "results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    converter = ensure_converter(Path(args.converter_venv).resolve())
    result = {
        "sizes": [],
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        },
        "poll_interval_seconds": args.interval,
    }
    for wanted in args.rows:
        result["sizes"].append(race_size(wanted, max(args.rows), converter, workdir, args))
        result["meets_targets"] = all(
            s[key]["outcome"] == "ok" and all(t["met"] for t in s["targets"])
            for s in result["sizes"]
            for key in ("finops", "floor")
        )
        out.write_text(json.dumps(result, indent=2) + "\n")  # after each size: a 2M run is long
    print_tables(result)
    print(f"results: {out}")
    sys.exit(0 if result["meets_targets"] else 1)


if __name__ == "__main__":
    main()
