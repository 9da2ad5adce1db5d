"""Changing allocation rules and re-running moves only what the changed rules are valid for.

A copy of the dbt project (with edited seeds/allocation CSVs) is built against a copy of the
demo run's warehouse. The edits, all effective from the second billing month:
- an account changes owner in the middle of that month (the new owner's name is hostile text:
  quotes, a semicolon, `--`, unicode, 300 characters), with its hierarchy row;
- a new shared pool spreads Unallocated spend evenly, excluding one team;
- a tag key alias full of hostile characters.
The first month's ledger must not change by a row or a digit; the second month's days before
the change keep their direct owner; the ledger still ties exactly; and no rule text ever
reaches the compiled SQL.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

HOSTILE_OWNER = ('Zürich\'s "team"; -- DROP TABLE marts.fct_cost_allocation; Ωmega ✓ ' * 5)[:300]
HOSTILE_TAG_KEY = ('o\'brien "team"; -- ünïcode ' * 12)[:300]
ALLOCATION_SELECTION = [
    "path:seeds/allocation",
    "path:models/intermediate/allocation",
    "path:models/marts/allocation",
    "path:models/marts/kpi",
    "path:dbt/tests/allocation",
]
LEDGER = """
    select AllocationRowId, ChargeGroupId, LedgerEntry, BillingPeriodStart, ChargePeriodStart,
           SubAccountId, Owner, AllocationMethod, AllocationRuleId, SharedPoolId,
           AllocatedEffectiveCost, AllocatedBilledCost, AllocationRatio
    from marts.fct_cost_allocation
"""


def append_rows(path: Path, rows: list[dict]) -> None:
    with path.open(newline="") as f:
        fieldnames = csv.DictReader(f).fieldnames
    with path.open("a", newline="") as f:
        csv.DictWriter(f, fieldnames=fieldnames).writerows(rows)


def close_rule(path: Path, rule_id: str, valid_to: str) -> None:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fieldnames, rows = reader.fieldnames, list(reader)
    (row,) = [r for r in rows if r["rule_id"] == rule_id]
    row["valid_to"] = valid_to
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def rebuilt(demo_run, tmp_path_factory, copy_dbt_project):
    home, env, _, _, run = demo_run
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    work = tmp_path_factory.mktemp("allocation_rules")
    project = work / "project"
    copy_dbt_project(project)
    # The staging views name their catalog after the file: keep the name `warehouse.duckdb`.
    (work / "wh").mkdir()
    warehouse = work / "wh" / "warehouse.duckdb"
    shutil.copyfile(home / "warehouse.duckdb", warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, second = [
            r[0]
            for r in con.execute(
                "select distinct x_BillingPeriod from marts.fct_cost_and_usage order by 1 limit 2"
            ).fetchall()
        ]
        change_day = second + timedelta(days=14)
        # The account whose account-placed spend after the change day is largest.
        provider, account, rule_id = con.execute(
            """
            select ProviderName, SubAccountId, AllocationRuleId
            from intermediate.int_allocation_direct
            where AllocationMethod = 'account' and BillingPeriodStart = ? and ChargeDay >= ?
              and Owner != 'platform'
            group by all order by sum(abs(EffectiveCost)) desc limit 1
            """,
            [second, change_day],
        ).fetchone()
        baseline = con.execute(LEDGER).fetchall()

    seeds = project / "seeds" / "allocation"
    close_rule(seeds / "allocation_account_owners.csv", rule_id, change_day.isoformat())
    append_rows(
        seeds / "allocation_account_owners.csv",
        [
            {
                "rule_id": f"{rule_id}-MOVED",
                "provider_name": provider,
                "sub_account_id": account,
                "owner": HOSTILE_OWNER,
                "environment": "prod",
                "valid_from": change_day.isoformat(),
            }
        ],
    )
    append_rows(
        seeds / "allocation_owners.csv",
        [
            {
                "owner": HOSTILE_OWNER,
                "team": HOSTILE_OWNER,
                "business_unit": "Commerce",
                "cost_center": "CC-'; --",
                "valid_from": second.isoformat(),
            }
        ],
    )
    append_rows(
        seeds / "allocation_shared_pools.csv",
        [
            {
                "pool_id": "PL-UNTAGGED",
                "priority": "99",
                "match_owner": "Unallocated",
                "split_method": "even",
                "valid_from": second.isoformat(),
            }
        ],
    )
    append_rows(
        seeds / "allocation_shared_pool_targets.csv",
        [
            {
                "pool_id": "PL-UNTAGGED",
                "target_owner": "ml",
                "action": "exclude",
                "valid_from": second.isoformat(),
            }
        ],
    )
    append_rows(
        seeds / "allocation_tag_keys.csv",
        [
            {
                "rule_id": "TK-HOSTILE-'\";--",
                "dimension": "team",
                "tag_key": HOSTILE_TAG_KEY,
                "priority": "99",
                "valid_from": first.isoformat(),
            }
        ],
    )

    target = work / "target"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            # Seeds are reloaded whole, so a rule file may gain columns too.
            "--full-refresh",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project / "dbt"),
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
            "--select",
            *ALLOCATION_SELECTION,
        ],
        env={**env, "FINOPS_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-5000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        changed = con.execute(LEDGER).fetchall()
        ties = con.execute(
            """
            with source as (
                select x_BillingPeriod as p, BillingCurrency as c,
                       sum(EffectiveCost) as e, sum(BilledCost) as b
                from marts.fct_cost_and_usage group by all
            ), ledger as (
                select BillingPeriodStart as p, BillingCurrency as c,
                       sum(AllocatedEffectiveCost) as e, sum(AllocatedBilledCost) as b
                from marts.fct_cost_allocation group by all
            )
            select count(*), count(*) filter (where source.e = ledger.e and source.b = ledger.b)
            from source full join ledger using (p, c)
            """
        ).fetchone()
    return {
        "first": first,
        "second": second,
        "change_day": change_day,
        "account": account,
        "baseline": baseline,
        "changed": changed,
        "ties": ties,
        "compiled": target / "compiled",
        "seeds": seeds,
    }


def rows_of(ledger: list[tuple], period: date) -> set[tuple]:
    return {row for row in ledger if row[3] == period}


def test_a_rule_change_leaves_the_periods_it_is_not_valid_for_untouched(rebuilt):
    first = rebuilt["first"]
    assert rows_of(rebuilt["changed"], first) == rows_of(rebuilt["baseline"], first)
    assert rows_of(rebuilt["changed"], rebuilt["second"]) != rows_of(
        rebuilt["baseline"], rebuilt["second"]
    )


def test_a_mid_month_owner_change_moves_only_the_days_from_the_change(rebuilt):
    change_day, account = rebuilt["change_day"], rebuilt["account"]

    def direct(ledger, before: bool) -> set[tuple]:
        return {
            (row[4], row[6], row[10], row[11])
            for row in ledger
            if row[3] == rebuilt["second"]
            and row[5] == account
            and row[2] == "direct"
            and (row[4] < change_day) == before
        }

    assert direct(rebuilt["changed"], before=True) == direct(rebuilt["baseline"], before=True)
    assert direct(rebuilt["changed"], before=True)
    # From the change day the account rule names the new owner (tagged charges keep their tag).
    placed_by_account_after = {
        row[6]
        for row in rebuilt["changed"]
        if row[3] == rebuilt["second"]
        and row[5] == account
        and row[7] == "account"
        and row[4] >= change_day
    }
    assert placed_by_account_after == {HOSTILE_OWNER}
    moved = {
        row
        for row in rebuilt["changed"]
        if row[6] == HOSTILE_OWNER and row[2] == "direct" and row[7] == "account"
    }
    assert moved and all(row[4] >= change_day for row in moved)


def test_the_ledger_still_ties_with_a_new_pool_an_exclusion_and_a_change(rebuilt):
    periods_and_currencies, tying = rebuilt["ties"]
    assert periods_and_currencies >= 4 and tying == periods_and_currencies
    pool_rows = [row for row in rebuilt["changed"] if row[9] == "PL-UNTAGGED"]
    assert pool_rows, "the demo has Unallocated spend in the second month"
    assert all(row[3] == rebuilt["second"] for row in pool_rows)
    targets = {row[6] for row in pool_rows if row[2] == "pool target"}
    assert "ml" not in targets and "Unallocated" not in targets and len(targets) >= 3
    assert sum(row[10] for row in pool_rows) == 0 and sum(row[11] for row in pool_rows) == 0


def test_no_rule_text_reaches_the_compiled_sql(rebuilt):
    """Tag keys, owners, rule and pool ids, accounts, services: read at run time, never pasted."""
    rule_texts = {HOSTILE_OWNER, HOSTILE_TAG_KEY, "PL-UNTAGGED"}
    for path in rebuilt["seeds"].glob("*.csv"):
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                for column in ("rule_id", "tag_key", "tag_value", "pool_id", "sub_account_id"):
                    if row.get(column):
                        rule_texts.add(row[column])
                for column in ("owner", "service_name", "product"):
                    # Unallocated is the ledger's own vocabulary, not a rule.
                    if row.get(column) and row[column] != "Unallocated":
                        rule_texts.add(row[column])
    # The tag dimensions are the models' own vocabulary (tested accepted values), even where
    # an alias is spelled the same (the tag key `team`).
    rule_texts -= {"team", "environment", "cost_center", "product"}
    compiled = [
        p
        for p in rebuilt["compiled"].rglob("*.sql")
        if "allocation" in p.as_posix() or "kpi_finops_monthly" in p.name
    ]
    assert len(compiled) >= 8
    for path in compiled:
        text = path.read_text()
        # A unit test (compiled under its YAML's path) carries its given rows as literals by
        # design; models and data tests do not.
        if ".yml/" in path.as_posix():
            continue
        pasted = sorted(t for t in rule_texts if f"'{t}'" in text or f'"{t}"' in text)
        assert not pasted, (path, pasted[:5])
