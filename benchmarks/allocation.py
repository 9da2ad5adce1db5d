"""Allocation run time beside the fct_cost_and_usage build time, measured in one run.

One billing month of the demo estate is generated at about ``--rows`` line items (every
provider, so tags, accounts and shared pools all take part), ingested into a fresh warehouse,
then, in one run on one machine:

1. ``dbt seed`` (setup, not timed in the comparison);
2. ``dbt run --select +fct_cost_and_usage``: the FOCUS build;
3. ``dbt run --select <allocation models>``: the allocation intermediate models, the ledger,
   the showback and the KPI mart.

For 2 and 3 it reports the wall time of the dbt command and the sum of the models' execution
times from dbt's ``run_results.json`` (the intermediate views cost nothing until a table reads
them, so the table models carry the allocation's work). Figures go to stdout and, with
``--json``, to a file.

    .venv/bin/python benchmarks/allocation.py --rows 1000000
    .venv/bin/python benchmarks/allocation.py --rows 10000000 --json /tmp/allocation.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOCUS_SELECTION = ["+fct_cost_and_usage"]
# Read by a metric-split pool; a view, built with the setup, outside the comparison.
SETUP_SELECTION = ["stg_business_metrics__daily_metrics"]
ALLOCATION_SELECTION = [
    "path:models/intermediate/allocation",
    "path:models/marts/allocation",
    # The KPI mart also unions the unit-cost KPIs: their (small) models come along.
    "path:models/intermediate/unit_economics",
    "path:models/marts/unit_economics",
    "path:models/marts/kpi",
]


def dbt(args: list[str], env: dict[str, str], target: Path) -> dict:
    """One dbt command: its wall time and the execution time of each node it ran."""
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(ROOT),
        "--profiles-dir",
        str(ROOT / "dbt"),
        "--target-path",
        str(target),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-4000:]}")
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 3) for r in results}
    return {
        "wall_seconds": round(wall, 3),
        "models_seconds": round(sum(nodes.values()), 3),
        "nodes": nodes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="line items to generate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, help="kept if given; else a temp dir")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the workdir's generated and ingested data"
    )
    args = parser.parse_args()

    from finops_generator import generate
    from finops_warehouse.ingest import ingest

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="allocation-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "warehouse.duckdb"
    env = {**os.environ, "FINOPS_WAREHOUSE": str(warehouse), "DBT_LOG_PATH": str(workdir / "logs")}

    generated = ingested = None
    if not (args.reuse and warehouse.exists()):
        started = time.perf_counter()
        generate(workdir, months=1, seed=args.seed, rows=args.rows)
        generated = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        ingest(warehouse, str(workdir / "landing"), workdir / "quarantine")
        ingested = round(time.perf_counter() - started, 1)

    dbt(["seed", "--full-refresh"], env, workdir / "target-seed")
    dbt(["run", "--select", *SETUP_SELECTION], env, workdir / "target-setup")
    focus = dbt(["run", "--select", *FOCUS_SELECTION], env, workdir / "target-focus")
    allocation = dbt(["run", "--select", *ALLOCATION_SELECTION], env, workdir / "target-alloc")

    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    source_rows = con.execute("select count(*) from marts.fct_cost_and_usage").fetchone()[0]
    ledger_rows = con.execute("select count(*) from marts.fct_cost_allocation").fetchone()[0]
    con.close()

    figures = {
        "rows_requested": args.rows,
        "fct_cost_and_usage_rows": source_rows,
        "fct_cost_allocation_rows": ledger_rows,
        "generate_seconds": generated,
        "ingest_seconds": ingested,
        "fct_cost_and_usage_seconds": focus["nodes"].get("fct_cost_and_usage"),
        "focus_build_wall_seconds": focus["wall_seconds"],
        "allocation_models_seconds": allocation["models_seconds"],
        "allocation_wall_seconds": allocation["wall_seconds"],
        "allocation_nodes": allocation["nodes"],
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
