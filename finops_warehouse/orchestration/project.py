"""The one dbt project of the warehouse, target chosen by FINOPS_DBT_TARGET.

Its directory (the repo root, or the copy an installed package ships) and the directory dbt
writes into come from finops_warehouse.locations.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version
from pydantic import Field

from finops_warehouse.locations import (
    DBT_PROJECT_PARTS,
    PARSE_STATE_FILE,
    PROFILES_DIR,
    PROJECT_DIR,
    dbt_parse_state,
    dbt_target_dir,
)
from finops_warehouse.orchestration import dbt_server

# dbt is installed beside this interpreter; a shell that did not activate the venv lacks it on PATH.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")


@cache
def dbt_project() -> DbtProject:
    """The dbt project, made on first use: the target directory and the dbt target are read from
    the environment then (FINOPS_DBT_TARGET, DBT_TARGET_PATH), after the CLI has set it up.

    The project directory is chosen in locations, not through DbtProject's packaged_project_dir:
    under `dagster dev` DbtProject ignores the packaged copy (an installed package has no other),
    and elsewhere it would prefer a packaged copy over the repo files of a clone.
    """
    return DbtProject(
        project_dir=PROJECT_DIR,
        profiles_dir=PROFILES_DIR,
        target_path=dbt_target_dir(),
        target=os.environ.get("FINOPS_DBT_TARGET", "dev"),
    )


# dagster-dbt starts dbt with this process's environment and takes no other: a resource that
# must give dbt more (the warehouse file, the billing months to build) starts it through POSIX
# `env NAME=value ... dbt`, so nothing writes this process's environment to reach dbt.
ENV_EXECUTABLE = shutil.which("env") or "/usr/bin/env"


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs this project does not need,
    with its dbt directories under the project's target directory, and with `environment` added
    to dbt's process environment (build one with `dbt_cli`).

    Before each dbt command dagster-dbt runs `dbt --version` in a subprocess (about 3 s) and
    loads dbt's adapter into the Dagster process (about 5 s); the adapter serves only the
    optional row-count and column metadata, which no asset here fetches. dbt is the one installed
    beside this interpreter, so its version is the installed dbt-core's. (Private hooks of
    dagster-dbt, pinned in requirements.lock; tests/integration/test_definitions.py runs them.)
    """

    environment: dict[str, str] = Field(default_factory=dict)

    def with_environment(self, more: Mapping[str, str]) -> WarehouseDbtCli:
        """This resource, giving dbt `more` too (e.g. one build's billing months)."""
        return dbt_cli({**self.environment, **more})

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None

    def _get_unique_target_path(self, *, context) -> Path:
        # dagster-dbt puts each invocation's directory under DBT_TARGET_PATH, else target/ in the
        # project (inside an installed package), and copies dbt's partial-parse state from there
        # unless the directory has it: both go under this project's target directory instead.
        target = dbt_project().target_path
        path = target / super()._get_unique_target_path(context=context).name
        path.mkdir(parents=True)
        if (state := dbt_parse_state()).exists():
            shutil.copy(state, path / PARSE_STATE_FILE)
        return path


def dbt_cli(environment: Mapping[str, str] | None = None) -> WarehouseDbtCli:
    """The dbt CLI resource of this project (the target of `dbt_project`); dbt runs with
    `environment` added to this process's environment."""
    environment = dict(environment or {})
    assignments = [f"{name}={value}" for name, value in sorted(environment.items())]
    # In `finops run`, through the run's dbt server (dbt imported once; dbt_server.py).
    through_server = dbt_server.client_command() or []
    return WarehouseDbtCli(
        project_dir=dbt_project(),
        profiles_dir=str(PROFILES_DIR),
        dbt_executable=ENV_EXECUTABLE,
        global_config_flags=[*assignments, *through_server, DBT_EXECUTABLE],
        environment=environment,
    )


def ensure_manifest() -> Path:
    """Parse the dbt project so its manifest matches the models on disk (runs `dbt parse`).

    The parse is skipped when nothing it reads has changed since the manifest was written: even
    a partial parse costs about 4 s, most of a small run's fixed cost. It is not skipped when
    dbt's partial-parse state, which seeds every dbt command of a run, is no longer the one
    this parse left (another dbt invocation on the same target directory, with another target
    or vars, wrote its own): dbt would parse the whole project again in every command.
    """
    project = dbt_project()
    inputs = project.target_path / "manifest.inputs"
    fingerprint = _project_fingerprint()
    if (
        project.manifest_path.exists()
        and inputs.exists()
        and inputs.read_text() == fingerprint + _parse_state_stamp()
    ):
        return project.manifest_path
    dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    inputs.write_text(fingerprint + _parse_state_stamp())
    return project.manifest_path


def _parse_state_stamp() -> str:
    """The size and modification time of dbt's partial-parse state in the target directory."""
    state = dbt_parse_state()
    if not state.exists():
        return " no parse state"
    stat = state.stat()
    return f" parse state {stat.st_size} {stat.st_mtime_ns}"


# What dbt and Python write inside the project (dbt's anonymous user id lands in dbt/).
_NOT_READ_BY_PARSE = {"target", "logs", "__pycache__", ".user.yml"}


def _project_fingerprint() -> str:
    """A hash of what a parse reads: every project file's path, size and mtime, dbt's version
    and the target."""
    digest = hashlib.sha256(
        f"{version('dbt-core')} {version('dbt-duckdb')} {dbt_project().target}".encode()
    )
    for part in DBT_PROJECT_PARTS:
        root = PROJECT_DIR / part
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.is_file() and not _NOT_READ_BY_PARSE & set(path.relative_to(root).parts):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(PROJECT_DIR)} {stat.st_size} {stat.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()


def semantic_project_dir() -> Path:
    """A dbt project directory for MetricFlow's `mf`, which reads the semantic manifest from
    `<project>/target/` only: the project itself in a clone; elsewhere (an installed package, or
    another DBT_TARGET_PATH) a directory beside the target holding links to the project file and
    the target."""
    target = dbt_project().target_path
    if target == PROJECT_DIR / "target":
        return PROJECT_DIR
    shim = target.parent / f"{target.name}-mf-project"
    shim.mkdir(parents=True, exist_ok=True)
    for name, points_to in (
        ("dbt_project.yml", PROJECT_DIR / "dbt_project.yml"),
        ("target", target),
    ):
        link = shim / name
        if not (link.is_symlink() and link.readlink() == points_to):
            link.unlink(missing_ok=True)
            link.symlink_to(points_to)
    return shim
