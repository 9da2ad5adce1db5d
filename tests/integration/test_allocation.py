"""The allocation ledger on the demo run: it ties to the bill, it finds the true owners.

Ground truth is the generator's (`totals`, `resource_owners`); sums are recomputed here from
the marts with Python decimals, never taken from the models' own tests.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def totals(con, sql: str) -> dict[tuple, tuple[Decimal, ...]]:
    return {tuple(row[:-2]): tuple(row[-2:]) for row in con.execute(sql).fetchall()}


def test_ledger_ties_exactly_to_fct_cost_and_usage_per_period_and_currency(warehouse):
    source = totals(
        warehouse,
        """
        select x_BillingPeriod, BillingCurrency, sum(EffectiveCost), sum(BilledCost)
        from marts.fct_cost_and_usage group by all
        """,
    )
    allocated = totals(
        warehouse,
        """
        select BillingPeriodStart, BillingCurrency,
               sum(AllocatedEffectiveCost), sum(AllocatedBilledCost)
        from marts.fct_cost_allocation group by all
        """,
    )
    assert len(source) >= 4  # two months, USD and EUR
    assert allocated == source


def test_ledger_billed_cost_ties_to_the_generated_bills(demo_run, warehouse):
    """Σ AllocatedBilledCost per billing account, month and currency = the generator's totals."""
    truth = demo_run[3]
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for total in truth["totals"]:
        key = (total["billing_account_id"], total["billing_period"], total["currency"])
        expected[key] += Decimal(total["billed_cost"])
    rows = warehouse.execute(
        """
        select BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency,
               sum(AllocatedBilledCost)
        from marts.fct_cost_allocation group by all
        """
    ).fetchall()
    assert {tuple(r[:3]): r[3] for r in rows} == dict(expected)


def test_shared_pools_move_cost_without_creating_or_losing_any(warehouse):
    pools = warehouse.execute(
        """
        select SharedPoolId, LedgerEntry, sum(AllocatedEffectiveCost), sum(AllocatedBilledCost)
        from marts.fct_cost_allocation where SharedPoolId is not null group by all
        """
    ).fetchall()
    by_pool: dict[str, dict[str, tuple]] = defaultdict(dict)
    for pool, entry, effective, billed in pools:
        by_pool[pool][entry] = (effective, billed)
    assert {"PL-PLATFORM", "PL-OBSERVABILITY", "PL-SUPPORT"} <= by_pool.keys()
    for pool, entries in by_pool.items():
        offset, target = entries["pool offset"], entries["pool target"]
        assert offset[0] < 0, pool
        assert (target[0] + offset[0], target[1] + offset[1]) == (0, 0), pool
    excluded = warehouse.execute(
        """
        select count(*) from marts.fct_cost_allocation
        where LedgerEntry = 'pool target' and Owner in ('platform', 'Unallocated')
        """
    ).fetchone()[0]
    assert excluded == 0


def test_tags_and_accounts_put_99_percent_of_taggable_spend_on_the_true_owner(demo_run, warehouse):
    """Taggable spend: Usage charges of a resource the generator records an owner for
    (`resource_owners`, ResourceId compared case-folded), weighed by |EffectiveCost| so
    covered usage and credits count by size. The direct owner (before shared pools) must be
    the true team for >= 99 % of it; the rest must be visible as Unallocated with a reason."""
    truth = demo_run[3]
    warehouse.execute(
        "create or replace temp table true_owners (resource_key varchar, team varchar)"
    )
    warehouse.executemany(
        "insert into true_owners values (?, ?)",
        [(rid.lower(), team) for rid, team in truth["resource_owners"].items()],
    )
    rows = warehouse.execute(
        """
        select direct.Owner = true_owners.team, direct.Owner, direct.AllocationReason,
               sum(abs(charges.EffectiveCost))
        from marts.fct_cost_and_usage as charges
        inner join true_owners on lower(charges.ResourceId) = true_owners.resource_key
        inner join intermediate.int_allocation_direct as direct using (x_RowId)
        where charges.ChargeCategory = 'Usage'
        group by all
        """
    ).fetchall()
    right = sum(cost for ok, _, _, cost in rows if ok)
    taggable = sum(cost for *_, cost in rows)
    assert taggable > 0
    assert right / taggable >= Decimal("0.99"), (right, taggable)
    wrong = [(owner, reason) for ok, owner, reason, _ in rows if not ok]
    assert all(owner == "Unallocated" and reason for owner, reason in wrong), wrong


def test_unallocated_spend_says_why_and_has_no_hierarchy(warehouse):
    rows = warehouse.execute(
        """
        select distinct Team, BusinessUnit, CostCenter, AllocationMethod, AllocationReason
        from marts.fct_cost_allocation where Owner = 'Unallocated'
        """
    ).fetchall()
    assert rows, "the demo has untagged spend in accounts no rule maps"
    for team, unit, center, method, reason in rows:
        assert (team, unit, center, method) == (
            "Unallocated",
            "Unallocated",
            "Unallocated",
            "unallocated",
        )
        assert reason.startswith(("no team tag", "tag ")), reason


def test_rounded_chargeback_sums_to_the_rounded_total(warehouse):
    rows = warehouse.execute(
        """
        select BillingPeriodStart, BillingCurrency, EffectiveCost, EffectiveCostRounded,
               BilledCost, BilledCostRounded
        from marts.fct_showback_monthly
        """
    ).fetchall()
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for period, currency, *amounts in rows:
        effective, effective_rounded, billed, billed_rounded = amounts
        assert abs(effective - effective_rounded) < CENT and abs(billed - billed_rounded) < CENT
        assert effective_rounded == effective_rounded.quantize(CENT)
        sums[(period, currency)] = [
            s + a for s, a in zip(sums[(period, currency)], amounts, strict=True)
        ]
    for key, (effective, effective_rounded, billed, billed_rounded) in sums.items():
        assert effective_rounded == effective.quantize(CENT, ROUND_HALF_UP), key
        assert billed_rounded == billed.quantize(CENT, ROUND_HALF_UP), key


def test_showback_direct_and_shared_add_up_to_the_ledger(warehouse):
    showback = totals(
        warehouse,
        """
        select BillingPeriodStart, Owner, BillingCurrency,
               sum(DirectEffectiveCost + SharedEffectiveCost),
               sum(DirectBilledCost + SharedBilledCost)
        from marts.fct_showback_monthly group by all
        """,
    )
    ledger = totals(
        warehouse,
        """
        select BillingPeriodStart, Owner, BillingCurrency,
               sum(AllocatedEffectiveCost), sum(AllocatedBilledCost)
        from marts.fct_cost_allocation group by all
        """,
    )
    assert showback == ledger


def test_allocation_kpis_cover_every_provider_and_month(warehouse):
    expected = set(
        warehouse.execute(
            "select distinct x_BillingPeriod, ProviderName, BillingCurrency "
            "from marts.fct_cost_and_usage"
        ).fetchall()
    )
    coverage = warehouse.execute(
        """
        select BillingPeriodStart, ProviderName, BillingCurrency, KpiValue, KpiNumerator,
               KpiDenominator
        from marts.kpi_finops_monthly where KpiName = 'allocation_coverage'
        """
    ).fetchall()
    assert {row[:3] for row in coverage} == expected
    unallocated = totals(
        warehouse,
        """
        select BillingPeriodStart, ProviderName, BillingCurrency,
               sum(case when Owner = 'Unallocated' then AllocatedEffectiveCost else 0 end),
               sum(AllocatedEffectiveCost)
        from marts.fct_cost_allocation group by all
        """,
    )
    for period, provider, currency, value, allocated, total in coverage:
        missing, ledger_total = unallocated[(period, provider, currency)]
        assert (allocated, total) == (ledger_total - missing, ledger_total)
        assert 0 <= value <= 1
    dimensions = {
        row[0]
        for row in warehouse.execute(
            "select distinct KpiDimension from marts.kpi_finops_monthly "
            "where KpiName like 'tag_compliance_%'"
        ).fetchall()
    }
    assert dimensions == {"team", "environment", "cost_center"}
