"""Fixed cost of `finops run`: one small FOCUS export, end to end with every check.

Generates one month with the project's generator, keeps only its FOCUS export (a provider's
whole month, about 700 rows) in a landing directory, and times `finops run` on it into a fresh
warehouse: detection, GX validation, the load, every dbt model and data test, every Dagster
check. One warm-up run comes first (it parses the dbt project once, as any first run after an
install or an edit does); then `--repeat` measured runs, each into a new warehouse, and one run
on an unchanged landing (nothing to load, nothing to rebuild). Stages come from the run's own
logs (`<warehouse>.finops/logs`, one-second timestamps; dbt's build time from its summary line).
Target: the median measured run <= 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from datetime import datetime
from pathlib import Path

from _measure import Measurement, check, measure  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 20.0


def finops_command() -> list[str]:
    script = Path(sys.executable).with_name("finops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "finops_warehouse.cli"]


def make_landing(workdir: Path, seed: int) -> tuple[Path, int]:
    """A landing directory holding one generated FOCUS export; (landing, its rows)."""
    from finops_generator import generate

    generated = workdir / "gen"
    generate(generated, months=1, seed=seed)
    (export,) = (generated / "landing" / "focus" / "skylight").rglob("skylight-focus-*.csv")
    landing = workdir / "landing"
    landing.mkdir()
    shutil.copy2(export, landing / export.name)
    shutil.rmtree(generated)
    with (landing / export.name).open() as lines:
        return landing, sum(1 for _ in lines) - 1  # the header is not a row


def _log_times(log: Path, since: float) -> tuple[float, float] | None:
    """Epoch seconds of a Dagster run log's first and last timestamped lines, if the log was
    written by the run that started at `since` (a run that skips a job leaves its old log)."""
    if not log.exists() or log.stat().st_mtime < since:
        return None
    stamps = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            stamps.append(datetime.strptime(line[:25], "%Y-%m-%d %H:%M:%S %z").timestamp())
        except ValueError:
            continue
    return (stamps[0], stamps[-1]) if stamps else None


def stages(m: Measurement, warehouse: Path) -> dict[str, float]:
    """Where a run's seconds went, from its logs: before the ingest run, the ingest run, the
    gap to the transform run, the transform run (with dbt's own build time), the tail."""
    logs = warehouse.parent / f"{warehouse.name}.finops" / "logs"
    ingest = _log_times(logs / "ingest_job.log", m.started_at)
    transform = _log_times(logs / "transform_job.log", m.started_at)
    result: dict[str, float] = {}
    last = m.started_at
    if ingest:
        result["start_to_ingest"] = ingest[0] - last
        result["ingest"] = ingest[1] - ingest[0]
        last = ingest[1]
    if transform:
        result["to_transform"] = transform[0] - last
        result["transform"] = transform[1] - transform[0]
        last = transform[1]
        for line in (logs / "transform_job.log").read_text(errors="replace").splitlines():
            if "Finished running" in line and " in 0 hours" in line:
                result["dbt_build_elapsed"] = float(line.rsplit("(", 1)[1].rstrip("s).\n"))
    result["tail"] = m.ended_at - last
    return {name: round(seconds, 1) for name, seconds in result.items()}


def run_benchmark(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    landing, rows = make_landing(workdir, args.seed)
    print(f"landing: {landing} (one FOCUS export, {rows:,} rows)", flush=True)
    env = {**os.environ, "FINOPS_HOME": str(workdir / "home")}

    def run(name: str, warehouse: Path) -> Measurement:
        command = [
            *finops_command(),
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
        ]
        m = check(measure(command, env, args.interval, workdir / f"{name}.log"), name)
        m.result = stages(m, warehouse)
        print(f"{name}: {m.wall_seconds:.1f} s ({m.cpu_seconds:.1f} s CPU) {m.result}", flush=True)
        return m

    run("warm-up", workdir / "warm-up.duckdb")
    measured = [run(f"run-{i}", workdir / f"run-{i}.duckdb") for i in range(1, args.repeat + 1)]
    unchanged = run("unchanged", workdir / "run-1.duckdb")
    median = statistics.median(m.wall_seconds for m in measured)
    # CPU seconds (the process tree's user + system) move less than wall time on a busy machine.
    median_cpu = statistics.median(m.cpu_seconds for m in measured)
    return {
        "input": {"format": "focus", "rows": rows},
        "runs": [m.__dict__ for m in measured],
        "unchanged_landing": unchanged.__dict__,
        "median_seconds": median,
        "median_cpu_seconds": median_cpu,
        "target_seconds": TARGET_SECONDS,
        "meets_target": median <= TARGET_SECONDS,
        "machine": {"cpus": os.cpu_count(), "platform": sys.platform},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="measured runs (default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default=str(ROOT / ".finops" / "bench" / "fixed-cost"))
    parser.add_argument("--interval", type=float, default=0.05, help="memory poll interval (s)")
    parser.add_argument("--json", default=None, help="results file (default: WORKDIR/results.json)")
    args = parser.parse_args()
    result = run_benchmark(args)
    out = Path(args.json or Path(args.workdir) / "results.json")
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    verdict = "meets" if result["meets_target"] else "misses"
    print(
        f"median {result['median_seconds']:.1f} s ({result['median_cpu_seconds']:.1f} s CPU) over "
        f"{args.repeat} runs: {verdict} the target "
        f"(<= {TARGET_SECONDS:.0f} s); unchanged landing "
        f"{result['unchanged_landing']['wall_seconds']:.1f} s; results: {out}"
    )
    sys.exit(0 if result["meets_target"] else 1)


if __name__ == "__main__":
    main()
