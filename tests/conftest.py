"""Shared pytest fixtures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from finops_warehouse.locations import DBT_PROJECT_PARTS

# Each pytest-xdist worker parses and builds into its own dbt target directory: two dbt processes
# writing one manifest.json and partial-parse file at once would corrupt them.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("DBT_TARGET_PATH", f"target/{worker}")

REPO_ROOT = Path(__file__).resolve().parents[1]


# The longest test file that needs the shared demo run: it starts first, and builds that run.
LONGEST_ON_THE_DEMO = REPO_ROOT / "tests" / "integration" / "test_incremental.py"


UNIT_TESTS = REPO_ROOT / "tests" / "unit"


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the marks set here
def pytest_collection_modifyitems(items):
    """Mark every test outside tests/unit `slow` (the fast lane, `make test-fast`, runs
    `-m "not slow"`). Then order test files for two pytest-xdist workers, which take whole
    files in this order (`--dist loadfile --no-loadscope-reorder`). The shared demo run takes
    minutes to build and a file that needs it waits for it: so one worker starts with the
    longest file that needs it (and builds it) and the next file that needs it, while the other
    works through the files that need nothing shared; the files that need the demo run come
    last, those with a `long` test first."""
    long, on_demo = set(), set()
    for item in items:
        if not item.path.is_relative_to(UNIT_TESTS):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("long"):
            long.add(item.path)
        if "demo_run" in item.fixturenames:
            on_demo.add(item.path)
    files = list(dict.fromkeys(item.path for item in items))
    demo_files = sorted((p for p in files if p in on_demo), key=lambda p: p not in long)
    if LONGEST_ON_THE_DEMO in demo_files:
        demo_files.remove(LONGEST_ON_THE_DEMO)
        demo_files.insert(0, LONGEST_ON_THE_DEMO)
    others = sorted((p for p in files if p not in on_demo), key=lambda p: p not in long)
    # Worker 1 takes files 1 and 3 first, worker 2 files 2 and 4.
    order = demo_files[:1] + others[:1] + demo_files[1:2] + others[1:] + demo_files[2:]
    rank = {path: i for i, path in enumerate(order)}
    items.sort(key=lambda item: rank[item.path])  # stable: test order inside a file kept


def _shared(tmp_path_factory, name: str) -> Path:
    """A path every pytest-xdist worker of this session shares (under the session's base
    temp when the run is not distributed), so one expensive set-up serves them all."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / name


@pytest.fixture(scope="session")
def generator_demo(tmp_path_factory):
    """A small generated demo (two months, seed 7): ``(root, ground truth dict with Decimals)``.

    Two months cover the restated delivery, the refund of a prior month, the Savings Plan
    bought in the window and the GCP usage correction. Generated once for all workers.
    """
    from finops_generator import generate, load_ground_truth

    root = _shared(tmp_path_factory, "generator_demo")
    with FileLock(f"{root}.lock"):
        if not (root / "ground_truth.json").exists():  # written last by generate()
            generate(root, months=2, seed=7)
    return root, load_ground_truth(root / "ground_truth.json")


def run_finops(*args: str, env: dict[str, str]):
    """`finops ARGS` in a subprocess (the real CLI), output captured."""
    import sys

    return subprocess.run(
        [sys.executable, "-m", "finops_warehouse.cli", *args],
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
    """`finops run` on the generated demo, once per session for all workers (raw, staging,
    FOCUS and marts). Read it, never write it: a test that changes it works on `close_home`.

    Returns ``(home, env, root, truth, completed_process)``; the warehouse is
    ``home / "warehouse.duckdb"``.
    """
    root, truth = generator_demo
    home = _shared(tmp_path_factory, "finops_home")
    env = {
        **os.environ,
        "FINOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "FINOPS_WAREHOUSE": str(home / "warehouse.duckdb"),
    }
    outcome = home.parent / "finops_home.json"
    with FileLock(f"{home}.lock"):
        if not outcome.exists():
            home.mkdir()
            done = run_finops("run", "--landing", str(root / "landing"), env=env)
            outcome.write_text(json.dumps([done.returncode, done.stdout, done.stderr]))
    returncode, stdout, stderr = json.loads(outcome.read_text())
    first = subprocess.CompletedProcess(["finops", "run"], returncode, stdout, stderr)
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
        from finops_warehouse.ingest import ingest

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


# A private copy of the shared demo run, for a test that closes a month, runs again or changes an
# export: its home (warehouse, Dagster instance) and landing directory, without a fresh run.
@dataclass
class CloseHome:
    home: Path
    landing: Path
    env: dict[str, str]
    truth: dict
    periods: list[str]

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


@pytest.fixture
def close_home(demo_run, tmp_path) -> CloseHome:
    """A private copy of the demo run: its home (warehouse, Dagster instance) and landing."""
    home, env, root, truth, first = demo_run
    assert first.returncode == 0, f"the shared demo run failed:\n{first.stdout}\n{first.stderr}"
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("logs", "close"))
    # copytree keeps modification times: ingestion orders deliveries by them.
    landing = shutil.copytree(root / "landing", tmp_path / "landing")
    copy_env = {
        **env,
        "FINOPS_HOME": str(copy),
        "DAGSTER_HOME": str(copy / "dagster"),
        "FINOPS_WAREHOUSE": str(copy / "warehouse.duckdb"),
        "FINOPS_LANDING": str(landing),
        "FINOPS_QUARANTINE": str(tmp_path / "quarantine"),
    }
    periods = sorted({inv["billing_period"] for inv in truth["invoices"]})
    return CloseHome(copy, landing, copy_env, truth, periods)


@pytest.fixture
def warehouse_env(close_home, monkeypatch) -> CloseHome:
    """The copy as this process's environment, for in-process Dagster runs and dbt."""
    for name in (
        "FINOPS_HOME",
        "DAGSTER_HOME",
        "FINOPS_WAREHOUSE",
        "FINOPS_LANDING",
        "FINOPS_QUARANTINE",
    ):
        monkeypatch.setenv(name, close_home.env[name])
    return close_home
