-- The ledger invariant the month-end close depends on: per billing period and currency,
-- Σ allocated = Σ source of fct_cost_and_usage, exactly, on both cost bases.
with source_totals as (

    select
        x_BillingPeriod as BillingPeriodStart,
        BillingCurrency,
        sum(EffectiveCost) as EffectiveCost,
        sum(BilledCost) as BilledCost
    from {{ ref('fct_cost_and_usage') }}
    group by x_BillingPeriod, BillingCurrency

),

ledger_totals as (

    select
        BillingPeriodStart,
        BillingCurrency,
        sum(AllocatedEffectiveCost) as EffectiveCost,
        sum(AllocatedBilledCost) as BilledCost
    from {{ ref('fct_cost_allocation') }}
    group by BillingPeriodStart, BillingCurrency

)

select
    coalesce(source_totals.BillingPeriodStart, ledger_totals.BillingPeriodStart)
        as billing_period_start,
    coalesce(source_totals.BillingCurrency, ledger_totals.BillingCurrency) as billing_currency,
    source_totals.EffectiveCost as source_effective_cost,
    ledger_totals.EffectiveCost as allocated_effective_cost,
    source_totals.BilledCost as source_billed_cost,
    ledger_totals.BilledCost as allocated_billed_cost
from source_totals
full outer join ledger_totals
    on
        source_totals.BillingPeriodStart = ledger_totals.BillingPeriodStart
        and source_totals.BillingCurrency = ledger_totals.BillingCurrency
where
    source_totals.EffectiveCost is distinct from ledger_totals.EffectiveCost
    or source_totals.BilledCost is distinct from ledger_totals.BilledCost
