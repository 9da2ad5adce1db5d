"""The one dbt project of the warehouse: the repo root, target chosen by FINOPS_DBT_TARGET."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent

# dbt is installed beside this interpreter; a shell that did not activate the venv lacks it on PATH.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT / "dbt",
    target=os.environ.get("FINOPS_DBT_TARGET", "dev"),
)
# `dagster dev` parses the project on start; the `finops` CLI calls ensure_manifest() instead.
dbt_project.prepare_if_dev()


def dbt_cli() -> DbtCliResource:
    """The dbt CLI resource of this project (target and warehouse from the environment)."""
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        target=os.environ.get("FINOPS_DBT_TARGET", "dev"),
        dbt_executable=DBT_EXECUTABLE,
    )


def ensure_manifest() -> Path:
    """Parse the dbt project so its manifest matches the models on disk (runs `dbt parse`)."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path
