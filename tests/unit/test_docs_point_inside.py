"""Docs and comments say true things about the repository: every repo path and every package
name they give exists, and none of them sends the reader outside the repository."""

from __future__ import annotations

import importlib
import re
import subprocess
from functools import cache

from finops_warehouse.locations import PROJECT_DIR

TEXT_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".json", ".toml", ".j2", ".csv", ""}
TOP_FOLDERS = (
    "finops_warehouse",
    "finops_generator",
    "models",
    "macros",
    "seeds",
    "tests",
    "benchmarks",
    "docs",
    "dbt",
    "expectations",
    r"\.ci",
)
REPO_PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(TOP_FOLDERS)})/[\w./-]*[\w/])")
PACKAGE_NAME = re.compile(r"(?<![\w./-])((?:finops_warehouse|finops_generator)(?:\.\w+)+)")
# Written by a build or a test run, never committed.
GENERATED = ("finops_warehouse/dbt_project/", "tests/artifacts/")
# Where the tests read the real exports kept beside the repository (and skip when absent).
OUTSIDE_ALLOWED = ("tests/",)


@cache  # read once for the three checks
def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    texts = {}
    for name in names:
        path = PROJECT_DIR / name
        if path.suffix in TEXT_SUFFIXES and path.is_file() and not path.is_symlink():
            texts[name] = path.read_text(errors="replace")
    return texts


def test_every_repo_path_a_doc_or_comment_names_exists():
    texts = tracked_text_files()
    assert "docs/architecture.md" in texts  # the files are read
    missing = {}
    for name, text in texts.items():
        for match in REPO_PATH.finditer(text):
            ref = match.group(1).rstrip(".")
            if any(c in ref for c in "<*{") or ref.startswith(GENERATED):
                continue  # a pattern, or build output
            if not (PROJECT_DIR / ref).exists():
                missing.setdefault(ref, set()).add(name)
    assert not missing, f"named but not in the repository: {missing}"


def test_every_package_name_a_doc_or_comment_gives_imports():
    unknown = {}
    for name, text in tracked_text_files().items():
        for match in PACKAGE_NAME.finditer(text):
            dotted = match.group(1).rstrip(".")
            if not _resolves(dotted):
                unknown.setdefault(dotted, set()).add(name)
    assert not unknown, f"no such module or attribute: {unknown}"


def _resolves(dotted: str) -> bool:
    """A module, or an attribute of one (`package.module.NAME`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_nothing_outside_tests_cites_files_outside_the_repository():
    outside = re.compile(r"\.\./shared|\bshared/(?:design|style|reference|fixtures)")
    citing = sorted(
        name
        for name, text in tracked_text_files().items()
        if not name.startswith(OUTSIDE_ALLOWED) and outside.search(text)
    )
    assert not citing, f"these cite files outside the repository: {citing}"


def test_the_checks_find_a_wrong_reference():
    # Split so that this file names no missing path or module itself.
    wrong_path = "finops_warehouse/" + "no_such_module.py"
    assert REPO_PATH.search(f"see `{wrong_path}`").group(1) == wrong_path
    assert not (PROJECT_DIR / wrong_path).exists()
    assert not _resolves("finops_warehouse.orchestration." + "no_such_module")
    assert _resolves("finops_warehouse.ingest.formats.AWS_CUR")
