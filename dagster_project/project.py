"""The one dbt project of the warehouse, target chosen by FINOPS_DBT_TARGET.

Its directory (the repo root, or the copy an installed package ships) and the directory dbt
writes into come from dagster_project.locations.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.locations import PROFILES_DIR, PROJECT_DIR, dbt_target_dir

# dbt is installed beside this interpreter; a shell that did not activate the venv lacks it on PATH.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")

TARGET_DIR = dbt_target_dir()
# dagster-dbt gives each dbt invocation its own directory under DBT_TARGET_PATH, and dbt its log
# there too; left unset, that is target/ inside the project, i.e. inside an installed package.
# Child processes (`finops ui`'s `dagster dev`) inherit it.
os.environ["DBT_TARGET_PATH"] = str(TARGET_DIR)

# The project directory is chosen in locations, not through DbtProject's packaged_project_dir:
# under `dagster dev` DbtProject ignores the packaged copy (an installed package has no other),
# and elsewhere it would prefer a packaged copy over the repo files of a clone.
dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROFILES_DIR,
    target_path=TARGET_DIR,
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
