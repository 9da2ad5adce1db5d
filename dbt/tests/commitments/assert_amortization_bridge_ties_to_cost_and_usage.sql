-- The bridge explains the whole difference: per billing account, billing period and
-- currency, Σ bridge lines = Σ BilledCost - Σ EffectiveCost of fct_cost_and_usage, exactly.
-- Returns each combination where they differ (a missing bridge counts as 0).
-- Reported in Dagster as a check of fct_amortization_bridge_monthly (the mart it guards).
{{ config(meta={'dagster': {'ref': {'name': 'fct_amortization_bridge_monthly'}}}) }}

with charges as (

    select
        BillingAccountId,
        x_BillingPeriod as BillingPeriod,
        BillingCurrency,
        sum(BilledCost) - sum(EffectiveCost) as CashMinusAmortized
    from {{ ref('fct_cost_and_usage') }}
    group by
        BillingAccountId,
        x_BillingPeriod,
        BillingCurrency

),

bridge as (

    select
        BillingAccountId,
        BillingPeriod,
        BillingCurrency,
        sum(Amount) as BridgeTotal
    from {{ ref('fct_amortization_bridge_monthly') }}
    group by
        BillingAccountId,
        BillingPeriod,
        BillingCurrency

)

select
    charges.BillingAccountId,
    charges.BillingPeriod,
    charges.BillingCurrency,
    charges.CashMinusAmortized,
    bridge.BridgeTotal
from charges
full outer join bridge
    on
        charges.BillingAccountId = bridge.BillingAccountId
        and charges.BillingPeriod = bridge.BillingPeriod
        and charges.BillingCurrency = bridge.BillingCurrency
where coalesce(charges.CashMinusAmortized, 0) != coalesce(bridge.BridgeTotal, 0)
