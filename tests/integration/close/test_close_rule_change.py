"""A rule change after a close: the closed month's extracts stay byte-identical, the pipeline's
rebuilt models leave it closed, and what the change moves between cost centers lands as adjustment
rows in the next month's close, adding up to zero (a rule moves cost, it never creates any)."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_warehouse.close import close_period
from finops_warehouse.close.files import sha256_of

REBUILT_AFTER_A_RULE_CHANGE = [
    "path:seeds/allocation",
    "path:models/intermediate/allocation",
    "path:models/marts/allocation",
    "path:models/intermediate/close",
    "path:models/marts/close",
]


def _move_account(rules: Path, rule_id: str, new_owner: str) -> None:
    """Give an account rule another owner for all time (a retroactive rule change)."""
    with rules.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames, rows = reader.fieldnames, list(reader)
    (row,) = [r for r in rows if r["rule_id"] == rule_id]
    row["owner"] = new_owner
    with rules.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def test_a_rule_change_leaves_the_closed_month_alone_and_moves_cost_by_adjustments(
    close_home, copy_dbt_project, tmp_path
):
    first, second = close_home.periods
    warehouse, out = close_home.warehouse, close_home.home / "close"
    close_period(warehouse, first, out)
    frozen = {p.name: sha256_of(p) for p in sorted((out / first).iterdir())}

    with duckdb.connect(str(warehouse), read_only=True) as con:
        # The account rule that placed the most billed cost in the closed month, and its owner
        # (not the platform, whose cost shared pools pass on).
        rule_id, old_owner = con.execute(
            """
            select AllocationRuleId, Owner from marts.fct_cost_allocation
            where AllocationMethod = 'account' and strftime(BillingPeriodStart, '%Y-%m') = ?
              and Owner != 'platform'
            group by all order by sum(abs(AllocatedBilledCost)) desc limit 1
            """,
            [first],
        ).fetchone()
        cost_centers = dict(
            con.execute("select owner, cost_center from seeds.allocation_owners").fetchall()
        )
    new_owner = next(
        o for o, c in cost_centers.items() if c != cost_centers[old_owner] and o != "platform"
    )

    project = copy_dbt_project(tmp_path / "project")
    _move_account(
        project / "seeds" / "allocation" / "allocation_account_owners.csv", rule_id, new_owner
    )
    rebuild = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            # the seeds and models; their tests run in every `finops run`
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project / "dbt"),
            "--select",
            *REBUILT_AFTER_A_RULE_CHANGE,
        ],
        env={**close_home.env, "DBT_TARGET_PATH": str(tmp_path / "target")},
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rebuild.returncode == 0, rebuild.stdout[-3000:]

    assert close_period(warehouse, first, out).already_closed
    assert {p.name: sha256_of(p) for p in sorted((out / first).iterdir())} == frozen
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (unmatched,) = con.execute(
            """
            select count(*) from marts.fct_invoice_reconciliation
            where strftime(BillingPeriodStart, '%Y-%m') = ? and Status != 'matched'
            """,
            [first],
        ).fetchone()
        # Exact: per currency the closed month's showback now totals what its close froze.
        moved = con.execute(
            """
            with current_total as (
                select BillingCurrency, sum(BilledCost) as BilledCost
                from marts.fct_showback_monthly
                where strftime(BillingPeriodStart, '%Y-%m') = $month group by all
            ), frozen_total as (
                select BillingCurrency, sum(BilledCost) as BilledCost from close.closed_showback
                where strftime(BillingPeriodStart, '%Y-%m') = $month group by all
            )
            select current_total.BillingCurrency, current_total.BilledCost - frozen_total.BilledCost
            from current_total full join frozen_total using (BillingCurrency)
            """,
            {"month": first},
        ).fetchall()
    assert unmatched == 0  # the ledger, and so the invoices, did not move
    assert moved and all(difference == 0 for _, difference in moved), moved

    close_period(warehouse, second, out)
    with (out / second / f"chargeback_{second}.csv").open(newline="") as handle:
        carried = [r for r in csv.DictReader(handle) if r["RowType"] == "adjustment"]
    assert {r["CorrectsBillingPeriod"] for r in carried} == {first}
    by_cost_center: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for row in carried:
        by_cost_center[row["CostCenter"], row["BillingCurrency"]] += Decimal(row["BilledCost"])
        by_currency[row["BillingCurrency"]] += Decimal(row["BilledCost"])
    # Rounded to the cent with the month's own rows (largest remainder per currency), each
    # adjustment is within a cent of its exact amount, and those add up to zero.
    cent = Decimal("0.01")
    assert by_currency
    for currency, total in by_currency.items():
        rows = sum(1 for r in carried if r["BillingCurrency"] == currency)
        assert abs(total) <= cent * rows, (currency, total)
    gained = {cc for (cc, _), amount in by_cost_center.items() if amount > 0}
    lost = {cc for (cc, _), amount in by_cost_center.items() if amount < 0}
    assert cost_centers[new_owner] in gained
    assert cost_centers[old_owner] in lost
