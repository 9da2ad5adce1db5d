"""Fixtures of the month-end close tests: private copies of the shared demo run.

The shared `demo_run` (tests/conftest.py) is read by the whole suite; a test that closes a
month or changes an export works on a copy of its home (warehouse, Dagster instance) and
landing directory instead of a fresh `finops run`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest


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
