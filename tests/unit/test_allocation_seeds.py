"""The default allocation rule set (seeds/allocation) is well formed before dbt ever loads it.

Rules are matched at run time on folded text: an alias written with capitals or blanks could
never match, an undated rule would never apply, an undeclared CSV would load untyped and
untested. These checks read the CSV files themselves.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import yaml

from finops_warehouse.locations import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds" / "allocation"
RULE_FILES = sorted(SEEDS.glob("*.csv"))


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_rule_file_is_declared_with_types_and_tests():
    declared = yaml.safe_load((SEEDS / "_allocation__seeds.yml").read_text())["seeds"]
    names = {seed["name"] for seed in declared}
    assert names == {path.stem for path in RULE_FILES}
    for seed in declared:
        assert seed["description"].strip(), seed["name"]
        assert seed.get("data_tests"), f"{seed['name']} has no uniqueness test"
        assert "column_types" in seed["config"], seed["name"]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_is_effective_dated(path):
    rows = read(path)
    assert rows, path.name
    for row in rows:
        valid_from = date.fromisoformat(row["valid_from"])
        if row["valid_to"]:
            assert date.fromisoformat(row["valid_to"]) > valid_from, row


@pytest.mark.parametrize(
    ("file", "column"),
    [("allocation_tag_keys.csv", "tag_key"), ("allocation_tag_values.csv", "tag_value")],
)
def test_aliases_are_written_folded_so_they_can_match(file, column):
    for row in read(SEEDS / file):
        assert row[column] == row[column].strip().lower(), row


def test_default_rules_name_only_known_owners():
    owners = {row["owner"] for row in read(SEEDS / "allocation_owners.csv")}
    for file, column in [
        ("allocation_account_owners.csv", "owner"),
        ("allocation_service_owners.csv", "owner"),
        ("allocation_metric_owners.csv", "owner"),
        ("allocation_shared_pool_targets.csv", "target_owner"),
    ]:
        unknown = {row[column] for row in read(SEEDS / file)} - owners
        assert not unknown, (file, unknown)
