"""The one dbt project of the warehouse: the repo root, target chosen by FINOPS_DBT_TARGET."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent

dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT / "dbt",
    target=os.environ.get("FINOPS_DBT_TARGET", "dev"),
)
# `dagster dev` parses the project on start; the `finops` CLI calls ensure_manifest() instead.
dbt_project.prepare_if_dev()


def ensure_manifest() -> Path:
    """Parse the dbt project so its manifest matches the models on disk (runs `dbt parse`)."""
    dbt_project.preparer.prepare(dbt_project)
    return dbt_project.manifest_path
