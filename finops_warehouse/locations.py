"""Where the dbt project and the files read from it live, for every caller.

In a clone (and an editable install) the repo root is the dbt project and everything is read
from there. A built wheel ships a copy of the project inside the package, in `dbt_project/`
(setup.py copies it at build time); the repo root beside the package is then absent, so the
copy is used. A clone never holds that copy, so no stale file is ever read in development.

dbt writes its artifacts, logs and partial-parse state into the target directory: `target/`
of a clone, else `$FINOPS_HOME/dbt` (an installed package's directory is read-only or shared).
DBT_TARGET_PATH, when set, wins, as it does for dbt itself.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_PROJECT_DIR = PACKAGE_DIR / "dbt_project"
_REPO_ROOT = PACKAGE_DIR.parent
IN_CLONE = (_REPO_ROOT / "dbt_project.yml").is_file()

PROJECT_DIR = _REPO_ROOT if IN_CLONE else PACKAGED_PROJECT_DIR
PROFILES_DIR = PROJECT_DIR / "dbt"
# What dbt reads of the project (the profile is under dbt/); its manifest depends on these only.
DBT_PROJECT_PARTS = ("dbt_project.yml", "selectors.yml", "models", "macros", "seeds", "dbt")
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
RULES_DIR = PROJECT_DIR / "seeds" / "allocation"


def dbt_target_dir() -> Path:
    """The absolute directory dbt writes into (artifacts, logs, partial-parse state)."""
    if configured := os.environ.get("DBT_TARGET_PATH"):
        # dbt reads a relative target path from the project directory.
        return PROJECT_DIR / configured
    if IN_CLONE:
        return PROJECT_DIR / "target"
    return Path(os.environ.get("FINOPS_HOME", ".finops")).resolve() / "dbt"


# dbt's partial-parse state, as dbt names it in a target directory.
PARSE_STATE_FILE = "partial_parse.msgpack"


def dbt_parse_state() -> Path:
    """The partial-parse state `ensure_manifest` leaves, which seeds every dbt command of a run
    (each in a directory of its own) and the dbt server's warm-up."""
    return dbt_target_dir() / PARSE_STATE_FILE
