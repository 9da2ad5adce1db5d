"""Shared pytest fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_PARTS = ("dbt_project.yml", "selectors.yml", "models", "macros", "seeds", "dbt")


@pytest.fixture(scope="session")
def generator_demo(tmp_path_factory):
    """A small generated demo (two months, seed 7): ``(root, ground truth dict with Decimals)``.

    Two months cover the restated delivery, the refund of a prior month, the Savings Plan
    bought in the window and the GCP usage correction.
    """
    from dagster_project.generator import generate, load_ground_truth

    root = tmp_path_factory.mktemp("generator_demo")
    generate(root, months=2, seed=7)
    return root, load_ground_truth(root / "ground_truth.json")


def run_finops(*args: str, env: dict[str, str]):
    """`finops ARGS` in a subprocess (the real CLI), output captured."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


@pytest.fixture(scope="session")
def finops_cli():
    """The real `finops` CLI as a function: ``finops_cli("run", "--landing", d, env=env)``."""
    return run_finops


@pytest.fixture(scope="session")
def demo_run(generator_demo, tmp_path_factory):
    """`finops run` on the generated demo, once per session (raw, staging, FOCUS and marts).

    Returns ``(home, env, root, truth, completed_process)``; the warehouse is
    ``home / "warehouse.duckdb"``.
    """
    import os

    root, truth = generator_demo
    home = tmp_path_factory.mktemp("finops_home")
    env = {
        **os.environ,
        "FINOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "FINOPS_WAREHOUSE": str(home / "warehouse.duckdb"),
    }
    first = run_finops("run", "--landing", str(root / "landing"), env=env)
    return home, env, root, truth, first


@pytest.fixture(scope="session")
def copy_dbt_project():
    """Copy the dbt project (models, macros, seeds, profiles) into a directory, for a test that
    edits rules without touching the repository: ``copy_dbt_project(destination)``."""

    def copy(destination: Path) -> Path:
        ignore = shutil.ignore_patterns("target", "logs", "__pycache__", ".user.yml")
        destination.mkdir(parents=True)
        for part in DBT_PROJECT_PARTS:
            source = REPO_ROOT / part
            if source.is_dir():
                shutil.copytree(source, destination / part, ignore=ignore)
            else:
                shutil.copyfile(source, destination / part)
        return destination

    return copy


class Landing:
    """A tmp landing + warehouse + quarantine, with helpers to run ingest and read results."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.landing = root / "landing"
        self.warehouse = root / "warehouse.duckdb"
        self.quarantine = root / "quarantine"
        self.landing.mkdir(parents=True)

    def run(self):
        from dagster_project.ingest import ingest

        return ingest(self.warehouse, str(self.landing), self.quarantine)

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def manifest(self) -> list[tuple]:
        return self.query(
            "SELECT path, status, rows, cost_total, error, extra_columns "
            "FROM raw.ingest_manifest ORDER BY loaded_at, path"
        )


@pytest.fixture
def area(tmp_path: Path) -> Landing:
    """A tmp landing, warehouse and quarantine for ingestion tests (no dbt)."""
    return Landing(tmp_path)
