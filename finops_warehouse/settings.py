"""What a command works on: the warehouse file, its landing directory, the quarantine for refused
files, the Dagster instance holding its run and check history, and the home the close extracts
and reports go to.

They are resolved once, by the command (`finops ...`) or by the Dagster code location, from the
command line and the environment: FINOPS_HOME (default `.finops`), FINOPS_WAREHOUSE,
FINOPS_LANDING, FINOPS_QUARANTINE, DAGSTER_HOME. Then they are passed on explicitly: to the
Dagster resources as their config (orchestration/resources.py), and to the programs the project
starts (dbt, `dagster dev`, MetricFlow's `mf`) as their process environment (`environment()`).
Nothing here, or anywhere in the package, writes this process's environment.

What belongs to one warehouse (its Dagster instance, the CLI's run logs, the quarantine) lives
beside the file, in its state directory (`state_dir`), unless the environment says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def state_dir(warehouse: Path | str) -> Path:
    """The warehouse's own state, beside the file and named after it (`warehouse.duckdb` ->
    `warehouse.duckdb.finops/`): `dagster/` (the Dagster instance: run and check history),
    `logs/` (the CLI's run logs), `quarantine/` (refused files), `landing-plans.json` (what
    planning learnt about each landing file, `landing_plans`). A copy of the file under
    another name or path starts with none (runs are matched by the file's absolute path)."""
    path = Path(warehouse).resolve()
    return path.with_name(f"{path.name}.finops")


def landing_plans(warehouse: Path | str) -> Path:
    """Where `ingest.plan_landing` keeps its plans of the landing files, so an unchanged file
    is not read again by the next run or sensor tick."""
    return state_dir(warehouse) / "landing-plans.json"


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse: Path
    # A directory, or an fsspec URL (s3://..., az://...): not resolved against this directory.
    landing: str
    quarantine: Path
    dagster_home: Path

    @classmethod
    def resolve(
        cls,
        warehouse: str | Path | None = None,
        landing: str | None = None,
        quarantine: str | Path | None = None,
        home: Path | None = None,
    ) -> Settings:
        """The settings of one command: what it was given, else the environment, else the
        defaults under the home (FINOPS_HOME, else `home`, else `.finops`).

        Every location is absolute: dbt runs in the project directory, where a relative path
        would name another file.
        """
        env = os.environ
        home = Path(env.get("FINOPS_HOME") or home or ".finops").resolve()
        warehouse = Path(warehouse or env.get("FINOPS_WAREHOUSE") or home / "warehouse.duckdb")
        state = state_dir(warehouse)
        landing = landing or env.get("FINOPS_LANDING") or str(home / "landing")
        quarantine = quarantine or env.get("FINOPS_QUARANTINE") or state / "quarantine"
        return cls(
            home=home,
            warehouse=warehouse.resolve(),
            landing=landing if "://" in landing else str(Path(landing).resolve()),
            quarantine=Path(quarantine).resolve(),
            dagster_home=Path(env.get("DAGSTER_HOME") or state / "dagster").resolve(),
        )

    @property
    def close_root(self) -> Path:
        """Where `finops close` writes a month's extracts by default: `<close_root>/<YYYY-MM>/`."""
        return self.home / "close"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def logs_dir(self) -> Path:
        """The CLI's run logs (one per job, overwritten by the job's next run)."""
        return state_dir(self.warehouse) / "logs"

    def environment(self) -> dict[str, str]:
        """These settings as the environment of a program the project starts: dbt (whose
        warehouse plugin attaches FINOPS_WAREHOUSE), `dagster dev` (which resolves them again
        when it loads the code location, and finds its instance through DAGSTER_HOME)."""
        return {
            "FINOPS_HOME": str(self.home),
            "FINOPS_WAREHOUSE": str(self.warehouse),
            "FINOPS_LANDING": self.landing,
            "FINOPS_QUARANTINE": str(self.quarantine),
            "DAGSTER_HOME": str(self.dagster_home),
        }

    def create_directories(self) -> None:
        """The warehouse's directory and its Dagster instance, with the instance's config:
        default local storage, no telemetry, no "join the community" prompt (a config someone
        wrote stays)."""
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        instance_yaml = self.dagster_home / "dagster.yaml"
        if not instance_yaml.exists() or not instance_yaml.read_text().strip():
            instance_yaml.write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
