-- The showback is the ledger summed: per period and currency its totals equal the ledger's,
-- direct + shared = total on every row, and the cent-rounded amounts sum to the rounded total.
with showback as (

    select * from {{ ref('fct_showback_monthly') }}

),

ledger_totals as (

    select
        BillingPeriodStart,
        BillingCurrency,
        sum(AllocatedEffectiveCost) as EffectiveCost,
        sum(AllocatedBilledCost) as BilledCost
    from {{ ref('fct_cost_allocation') }}
    group by BillingPeriodStart, BillingCurrency

),

showback_totals as (

    select
        BillingPeriodStart,
        BillingCurrency,
        sum(EffectiveCost) as EffectiveCost,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCostRounded) as EffectiveCostRounded,
        sum(BilledCostRounded) as BilledCostRounded,
        sum(case when DirectEffectiveCost + SharedEffectiveCost != EffectiveCost then 1 else 0 end)
        + sum(case when DirectBilledCost + SharedBilledCost != BilledCost then 1 else 0 end)
            as rows_not_adding_up
    from showback
    group by BillingPeriodStart, BillingCurrency

)

select
    showback_totals.*,
    ledger_totals.EffectiveCost as ledger_effective_cost,
    ledger_totals.BilledCost as ledger_billed_cost
from showback_totals
full outer join ledger_totals
    on
        showback_totals.BillingPeriodStart = ledger_totals.BillingPeriodStart
        and showback_totals.BillingCurrency = ledger_totals.BillingCurrency
where
    showback_totals.EffectiveCost is distinct from ledger_totals.EffectiveCost
    or showback_totals.BilledCost is distinct from ledger_totals.BilledCost
    or showback_totals.EffectiveCostRounded != round(ledger_totals.EffectiveCost, 2)
    or showback_totals.BilledCostRounded != round(ledger_totals.BilledCost, 2)
    or showback_totals.rows_not_adding_up > 0
