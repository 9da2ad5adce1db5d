"""Fixtures of the real-data suite: billing files this project did not write.

- koku-nise (Red Hat's cost-management test data generator) writes AWS CUR, Azure cost details
  and GCP billing exports at test time, into tmp dirs, laid out as nise lays them out (its
  folders, its file names, its manifests). One `finops run` loads all three providers.
- The real Azure EA exports in ``shared/fixtures/azure-ea-small`` (beside the repository, as CI
  clones it) are copied under neutral names and run through the pipeline once.

Nothing generated here is committed; the static report files in ``nise/`` are the only input.
What nise writes and where it departs from the providers' documentation: docs/real-exports.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
NISE_STATIC = HERE / "nise"
SHARED_FIXTURES = (REPO_ROOT / ".." / "shared" / "fixtures").resolve()
AZURE_EA_SMALL = SHARED_FIXTURES / "azure-ea-small"

# Report names passed to nise; they become folder and file names in the landing.
AWS_REPORT = "nise-cur"
AZURE_REPORT = "nise-costs"
GCP_DATASET = "nise"
# 2 parts per month: the AWS assembly then has several report keys that must add up.
AWS_ROWS_PER_PART = "2000"


def _nise(provider: str, *args: str, cwd: Path) -> None:
    """`nise report <provider> ...` in a subprocess, offline.

    nise writes its scratch CSVs into the working directory, hence a private ``cwd``. Cloud
    credentials are removed from the environment: with a local directory as bucket nise only
    copies files, and without GOOGLE_APPLICATION_CREDENTIALS it skips the BigQuery load of the
    JSONL export (it logs a warning and returns).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AZURE_", "GOOGLE_", "GCP_"))
    }
    done = subprocess.run(
        [sys.executable, "-m", "nise", "report", provider, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nise report {provider} failed:\n{done.stdout}\n{done.stderr}")


@dataclass(frozen=True)
class NiseLanding:
    """What nise wrote: ``generated`` stays as nise left it (the tests' ground truth), ``root``
    is a copy (same names, same modification times) that `finops run` ingests, and may move
    refused files out of."""

    generated: Path
    root: Path

    def data_files(self) -> list[Path]:
        """Every billing data file nise wrote (not its manifests), in ``generated``."""
        return sorted(
            p
            for p in self.generated.rglob("*")
            if p.is_file() and not p.name.endswith("Manifest.json")
        )

    def in_landing(self, generated_file: Path) -> Path:
        return self.root / generated_file.relative_to(self.generated)

    def aws_files(self) -> list[Path]:
        return sorted((self.generated / "aws").rglob("*.csv.gz"))

    def azure_files(self) -> list[Path]:
        return sorted((self.generated / "azure").rglob("*.csv"))

    def gcp_files(self) -> list[Path]:
        return sorted((self.generated / "gcp").rglob("*.json"))


@pytest.fixture(scope="session")
def nise_landing(tmp_path_factory) -> NiseLanding:
    """nise AWS CUR (gzip CSV parts + manifests), Azure cost details (one CSV per month) and GCP
    billing export (JSON Lines) for 2024-01 and 2024-02, as nise lays them out."""
    pytest.importorskip("nise", reason="koku-nise is in the dev extra: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("nise_generated")
    scratch = tmp_path_factory.mktemp("nise_cwd")
    for provider in ("aws", "azure", "gcp"):
        (root / provider).mkdir()  # nise copies into an existing directory only
    _nise(
        "aws",
        "--static-report-file",
        str(NISE_STATIC / "aws.yml"),
        "--aws-s3-bucket-name",
        str(root / "aws"),
        "--aws-s3-report-name",
        AWS_REPORT,
        "--file-row-limit",
        AWS_ROWS_PER_PART,
        cwd=scratch,
    )
    _nise(
        "azure",
        "--static-report-file",
        str(NISE_STATIC / "azure.yml"),
        "--azure-container-name",
        str(root / "azure"),
        "--azure-report-name",
        AZURE_REPORT,
        cwd=scratch,
    )
    _nise(
        "gcp",
        "--static-report-file",
        str(NISE_STATIC / "gcp.yml"),
        "--gcp-bucket-name",
        str(root / "gcp"),
        "--gcp-dataset-name",
        GCP_DATASET,
        cwd=scratch,
    )
    landing = NiseLanding(generated=root, root=tmp_path_factory.mktemp("nise") / "landing")
    shutil.copytree(root, landing.root)  # copy2: keeps nise's modification times
    assert landing.aws_files() and landing.azure_files() and landing.gcp_files(), (
        f"nise wrote less than expected: {[str(p) for p in landing.data_files()]}"
    )
    return landing


@dataclass(frozen=True)
class FinopsRun:
    home: Path
    env: dict[str, str]
    landing: Path
    done: subprocess.CompletedProcess

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def output(self) -> str:
        return self.done.stdout + self.done.stderr


def finops_run_on(landing: Path, home: Path, finops_cli) -> FinopsRun:
    """`finops run --landing LANDING` through the real CLI, with a private home."""
    env = {
        **os.environ,
        "FINOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "FINOPS_WAREHOUSE": str(home / "warehouse.duckdb"),
    }
    env.pop("FINOPS_LANDING", None)
    env.pop("FINOPS_QUARANTINE", None)
    done = finops_cli("run", "--landing", str(landing), env=env)
    return FinopsRun(home=home, env=env, landing=landing, done=done)


@pytest.fixture(scope="session")
def nise_run(nise_landing, finops_cli, tmp_path_factory) -> FinopsRun:
    """One `finops run` over every nise provider's files."""
    return finops_run_on(nise_landing.root, tmp_path_factory.mktemp("nise_home"), finops_cli)


# The EA files under names that say nothing (what a user's browser download or a copy makes),
# in different folders: the dataset must come from the content, never the name.
AZURE_EA_NEUTRAL_NAMES = {
    "EA_ActualCost_Small.csv": "downloads/download.csv",
    "EA_AmortizedCost_Small.csv": "azure/2023-09/costs (1).csv",
}


@pytest.fixture(scope="session")
def azure_ea_sources() -> tuple[Path, dict[str, str]]:
    """(the folder of the real EA files, {file name: neutral name in the landing})."""
    return AZURE_EA_SMALL, AZURE_EA_NEUTRAL_NAMES


@pytest.fixture(scope="session")
def azure_ea_landing(tmp_path_factory) -> Path:
    if not AZURE_EA_SMALL.is_dir():
        pytest.skip(
            f"the real Azure EA exports are not here ({AZURE_EA_SMALL}); they live in the "
            "shared/ folder cloned beside the repository"
        )
    root = tmp_path_factory.mktemp("azure_ea_landing")
    for source, neutral in AZURE_EA_NEUTRAL_NAMES.items():
        target = root / neutral
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(AZURE_EA_SMALL / source, target)
    return root


@pytest.fixture(scope="session")
def azure_ea_run(azure_ea_landing, finops_cli, tmp_path_factory) -> FinopsRun:
    return finops_run_on(azure_ea_landing, tmp_path_factory.mktemp("azure_ea_home"), finops_cli)
