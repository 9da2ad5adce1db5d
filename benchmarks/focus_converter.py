"""Peer comparison: the FinOps Foundation's FOCUS converter vs this warehouse, same CUR file.

One legacy AWS CUR CSV of about ``--rows`` rows, written by the project's generator, is turned
into FOCUS twice:

(a) ``focus-converter convert --provider aws-cur`` (PyPI ``focus-converter`` 1.0.0, in its own
    virtualenv under ``.finops/tools/``);
(b) ``finops run --landing <a directory holding only that file> --warehouse <new file>`` then
    ``finops export focus --out <file>.parquet`` (ingest + GX suite + every dbt model and test +
    the Parquet export: more work than (a), which only converts).

Each command runs as a child process; its process tree (dbt's and Dagster's subprocesses
included) is polled with psutil every ``--interval`` seconds; its memory is the sum of the
processes' PSS (proportional set size: shared pages split between the processes sharing them,
so a forked child does not count its parent's memory twice) and the peak is the highest sample.
The report gives wall time and peak memory of (a) and (b) and the ratios; the target is
(b) <= 1/5 of (a) on both. Results go to a table on stdout and to JSON (``--json``).

    .venv/bin/python benchmarks/focus_converter.py                 # 500k rows
    .venv/bin/python benchmarks/focus_converter.py --rows 100000 --json /tmp/bench.json

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import duckdb
import psutil
from _measure import combine, measure  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONVERTER_REQUIREMENTS = (
    "focus-converter==1.0.0",
    # focus-converter 1.0.0 leaves these open and does not start with their current releases
    "multimethod<1.11",
    "click<8.2",
    "typer<0.13",
)
TARGET_RATIO = 0.2  # ours <= 1/5 of the converter, on wall time and on peak RSS


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

    ``generate(rows=...)`` scales all formats together, so the legacy CUR share is measured
    and the total rescaled once or twice until the CUR file is within 5% of the target.
    """
    from dagster_project.generator import generate

    gen_dir = workdir / "generated"
    total = target_rows
    for _ in range(3):
        truth = generate(gen_dir, months=1, seed=seed, rows=total)
        cur = max(
            (f for f in truth.files if f.format == "aws_cur" and not f.superseded),
            key=lambda f: f.rows,
        )
        if abs(cur.rows - target_rows) <= 0.05 * target_rows:
            break
        total = int(total * target_rows / max(cur.rows, 1))
    source = gen_dir / cur.path
    csv = workdir / "input" / "cur.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rb") as src, open(csv, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    shutil.rmtree(gen_dir)
    return csv, cur.rows


def parquet_rows(path: Path) -> int | None:
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
    if not files:
        return None
    with duckdb.connect() as con:
        return con.execute(
            "SELECT count(*) FROM read_parquet(?)", [[str(f) for f in files]]
        ).fetchone()[0]


def finops_command() -> list[str]:
    script = Path(sys.executable).with_name("finops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dagster_project.cli"]


def run_benchmark(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    converter = ensure_converter(Path(args.converter_venv).resolve())

    print(f"generating a legacy CUR CSV of about {args.rows:,} rows", flush=True)
    csv, rows = generate_cur(workdir, args.rows, args.seed)
    print(f"input: {csv} ({rows:,} rows, {csv.stat().st_size:,} bytes)", flush=True)

    env = {**os.environ, "COLUMNS": "120"}
    print("(a) focus-converter convert --provider aws-cur", flush=True)
    converter_out = workdir / "converter-out"
    theirs = measure(
        [
            str(converter),
            "convert",
            "--provider",
            "aws-cur",
            "--data-format",
            "csv",
            "--data-path",
            str(csv),
            "--export-path",
            str(converter_out),
            "--export-format",
            "parquet",
            "--no-export-include-source-columns",
        ],
        env,
        args.interval,
        workdir / "converter.log",
    )

    print("(b) finops run + finops export focus", flush=True)
    landing = workdir / "landing"
    landing.mkdir()
    os.link(csv, landing / csv.name)
    warehouse = workdir / "warehouse.duckdb"
    ours_out = workdir / "finops-focus.parquet"
    finops_env = {
        **env,
        "FINOPS_HOME": str(workdir / "home"),
        "DAGSTER_HOME": str(workdir / "home" / "dagster"),
    }
    run = measure(
        [*finops_command(), "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        finops_env,
        args.interval,
        workdir / "finops-run.log",
    )
    export = measure(
        [
            *finops_command(),
            "export",
            "focus",
            "--warehouse",
            str(warehouse),
            "--out",
            str(ours_out),
        ],
        finops_env,
        args.interval,
        workdir / "finops-export.log",
    )
    ours = combine(run, export)

    ratios = {
        "wall_time": round(ours.wall_seconds / theirs.wall_seconds, 3),
        "peak_rss": round(ours.peak_tree_bytes / theirs.peak_tree_bytes, 3),
    }
    return {
        "input": {"path": str(csv), "rows": rows, "bytes": csv.stat().st_size},
        "converter": {
            **asdict(theirs),
            "version": CONVERTER_REQUIREMENTS[0],
            "output_rows": parquet_rows(converter_out) if converter_out.exists() else None,
        },
        "finops": {
            **asdict(ours),
            "run": asdict(run),
            "export": asdict(export),
            "output_rows": parquet_rows(ours_out) if ours_out.exists() else None,
        },
        "ratios": ratios,
        "target_ratio": TARGET_RATIO,
        "meets_target": all(r <= TARGET_RATIO for r in ratios.values())
        and theirs.exit_code == 0
        and ours.exit_code == 0,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "poll_interval_seconds": args.interval,
    }


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    mib = 1024 * 1024
    conv, ours, ratios = result["converter"], result["finops"], result["ratios"]
    table = Table(title=f"Legacy CUR -> FOCUS, {result['input']['rows']:,} rows")
    for name in ("", "wall time (s)", "peak memory (MiB, PSS)", "rows out", "exit"):
        table.add_column(name, justify="left" if not name else "right")
    for label, m in (("focus-converter 1.0.0", conv), ("finops run + export focus", ours)):
        table.add_row(
            label,
            f"{m['wall_seconds']:.1f}",
            f"{m['peak_tree_bytes'] / mib:,.0f}",
            f"{m['output_rows']:,}" if m["output_rows"] is not None else "-",
            str(m["exit_code"]),
        )
    table.add_row(
        "ours / converter",
        f"{ratios['wall_time']:.2f}",
        f"{ratios['peak_rss']:.2f}",
        "",
        f"target <= {result['target_ratio']}",
    )
    Console().print(table)
    for label, m in (("converter", conv), ("finops", ours)):
        if m["exit_code"]:
            print(f"{label} failed (exit {m['exit_code']}):\n{m['output_tail']}")
    verdict = "meets" if result["meets_target"] else "does NOT meet"
    print(f"{verdict} the target (ours <= {result['target_ratio']} x converter on both)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000, help="legacy CUR rows")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default=str(ROOT / ".finops" / "bench" / "focus-converter"))
    parser.add_argument(
        "--converter-venv", default=str(ROOT / ".finops" / "tools" / "focus-converter-venv")
    )
    parser.add_argument("--interval", type=float, default=0.05, help="RSS poll interval (s)")
    parser.add_argument("--json", default=None, help="results file (default: WORKDIR/results.json)")
    args = parser.parse_args()
    result = run_benchmark(args)
    out = Path(args.json or Path(args.workdir) / "results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"results: {out}")
    sys.exit(0 if result["meets_target"] else 1)


if __name__ == "__main__":
    main()
