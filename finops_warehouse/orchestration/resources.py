"""The resources of every job: the warehouse's settings and the dbt CLI, both configured from
one `Settings` (finops_warehouse/settings.py), resolved by the caller."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from finops_warehouse.orchestration.project import dbt_cli
from finops_warehouse.settings import Settings

# The run tag naming the warehouse a run worked on: the close gate reads only the checks of runs
# on its own warehouse, even when warehouses share one Dagster instance.
WAREHOUSE_TAG = "finops/warehouse"


def warehouse_tags(warehouse: Path | str) -> dict[str, str]:
    return {WAREHOUSE_TAG: str(Path(warehouse).resolve())}


class WarehouseSettings(dg.ConfigurableResource):
    """Locations of the DuckDB warehouse file, the landing directory (path or fsspec URL), the
    quarantine directory for refused files, and the default directories of close extracts and
    reports."""

    warehouse: str
    landing: str
    quarantine: str
    close_root: str
    reports_dir: str

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def quarantine_path(self) -> Path:
        return Path(self.quarantine)


def build_resources(settings: Settings) -> dict[str, object]:
    """The resources of every job, for the warehouse of `settings`; dbt gets the warehouse file
    in its environment (finops_warehouse.dbt_warehouse_plugin attaches it)."""
    return {
        "settings": WarehouseSettings(
            warehouse=str(settings.warehouse),
            landing=settings.landing,
            quarantine=str(settings.quarantine),
            close_root=str(settings.close_root),
            reports_dir=str(settings.reports_dir),
        ),
        "dbt": dbt_cli({"FINOPS_WAREHOUSE": str(settings.warehouse)}),
    }
