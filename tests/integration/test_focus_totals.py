"""marts.fct_cost_and_usage against the generator's ground truth: BilledCost per billing account
x billing period x currency ties to the cent (exactly, in fact) for every source format."""

from decimal import Decimal

import duckdb


def test_billed_cost_ties_to_the_ground_truth_for_every_account_period_and_currency(demo_run):
    home, _, _, truth, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            """
            select
                -- Azure usage comes from the amortized export, purchases from the actual one;
                -- together they are the actual-cost bill the ground truth records.
                case when x_SourceFormat like 'azure_%' then 'azure_actual'
                     else x_SourceFormat end,
                BillingAccountId,
                -- GCP billing periods start at midnight US Pacific (07:00 UTC in summer)
                strftime(BillingPeriodStart, '%Y-%m'),
                BillingCurrency,
                sum(BilledCost)
            from marts.fct_cost_and_usage
            group by all
            """
        ).fetchall()
    actual = {tuple(r[:4]): r[4] for r in rows}
    expected = {
        (t["format"], t["billing_account_id"], t["billing_period"], t["currency"]): t["billed_cost"]
        for t in truth["totals"]
    }
    assert actual.keys() == expected.keys()
    for key, billed in expected.items():
        assert actual[key] == Decimal(billed), key


def test_no_currency_is_added_to_another(demo_run):
    home, _, _, _, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        (mixed,) = con.execute(
            """
            select count(*) from (
                select BillingAccountId, BillingPeriodStart
                from marts.fct_cost_and_usage
                group by all having count(distinct BillingCurrency) > 1
            )
            """
        ).fetchone()
    assert mixed == 0
