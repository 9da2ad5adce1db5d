"""dbt run by tests in a subprocess, the way a user runs it (importable: tests/ is on the path)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from finops_warehouse.locations import PROFILES_DIR, PROJECT_DIR, dbt_target_dir
from finops_warehouse.orchestration.project import DBT_EXECUTABLE


def run_dbt(args: list[str], *, env: dict[str, str], work: Path) -> subprocess.CompletedProcess:
    """`dbt ARGS` on the repo's dbt project in a subprocess; artifacts and logs under `work`.

    dbt keeps its parse state in the target directory, so a new one per test meant a full parse
    (about 10 s) per call. The state of this worker's last call of the same target seeds it;
    dbt re-parses what changed and parses everything only if the state does not fit.
    """
    target = work / "target"
    target.mkdir(parents=True, exist_ok=True)
    state = dbt_target_dir() / "tests-parse-state" / env.get("FINOPS_DBT_TARGET", "dev")
    if state.exists():
        shutil.copyfile(state, target / "partial_parse.msgpack")
    done = subprocess.run(
        [
            DBT_EXECUTABLE,
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROFILES_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=PROJECT_DIR,
        env={**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if (target / "partial_parse.msgpack").exists():
        state.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "partial_parse.msgpack", f"{state}.tmp")
        os.replace(f"{state}.tmp", state)
    return done


def run_dbt_on(warehouse: Path, args: list[str], work: Path) -> subprocess.CompletedProcess:
    """`dbt ARGS` on the `ci` target against `warehouse` (a file the test made), two threads."""
    env = {**os.environ, "FINOPS_DBT_TARGET": "ci", "FINOPS_WAREHOUSE": str(warehouse)}
    return run_dbt([*args, "--threads", "2"], env=env, work=work)
