"""Where the warehouse, the landing directory and the quarantine live.

Every location comes from the environment so the Dagster UI, the `finops` CLI and the tests
share one definition: FINOPS_HOME (default `.finops`), FINOPS_WAREHOUSE, FINOPS_LANDING,
FINOPS_QUARANTINE. What belongs to one warehouse (its run and check history, run logs and
quarantine) lives beside it, in its state directory (`state_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from finops_warehouse.orchestration.project import dbt_cli


def finops_home() -> Path:
    return Path(os.environ.get("FINOPS_HOME", ".finops"))


def default_warehouse() -> str:
    return os.environ.get("FINOPS_WAREHOUSE", str(finops_home() / "warehouse.duckdb"))


def default_landing() -> str:
    return os.environ.get("FINOPS_LANDING", str(finops_home() / "landing"))


def state_dir(warehouse: Path | str) -> Path:
    """The warehouse's own state, beside the file and named after it (`warehouse.duckdb` ->
    `warehouse.duckdb.finops/`): `dagster/` (the Dagster instance: run and check history),
    `logs/` (the CLI's run logs), `quarantine/` (refused files). A copy of the file under
    another name or path starts with none (runs are matched by the file's absolute path)."""
    path = Path(warehouse).resolve()
    return path.with_name(f"{path.name}.finops")


def default_quarantine() -> str:
    return os.environ.get("FINOPS_QUARANTINE") or str(state_dir(default_warehouse()) / "quarantine")


# The run tag naming the warehouse a run worked on: the close gate reads only the checks of runs
# on its own warehouse, even when warehouses share one Dagster instance.
WAREHOUSE_TAG = "finops/warehouse"


def warehouse_tags(warehouse: Path | str) -> dict[str, str]:
    return {WAREHOUSE_TAG: str(Path(warehouse).resolve())}


class WarehouseSettings(dg.ConfigurableResource):
    """Locations of the DuckDB warehouse file, the landing directory (path or fsspec URL) and
    the quarantine directory for refused files."""

    warehouse: str
    landing: str
    quarantine: str

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def quarantine_path(self) -> Path:
        return Path(self.quarantine)


def build_resources() -> dict[str, object]:
    """The resources of every job, read from the environment at the time of the call."""
    return {
        "settings": WarehouseSettings(
            warehouse=default_warehouse(),
            landing=default_landing(),
            quarantine=default_quarantine(),
        ),
        "dbt": dbt_cli(),
    }
