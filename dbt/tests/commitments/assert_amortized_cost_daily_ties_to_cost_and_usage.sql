-- fct_amortized_cost_daily loses and invents nothing: per billing account, billing period
-- and currency each cost column sums to fct_cost_and_usage's, exactly.
-- Reported in Dagster as a check of fct_amortized_cost_daily (the mart it guards).
{{ config(meta={'dagster': {'ref': {'name': 'fct_amortized_cost_daily'}}}) }}

with charges as (

    select
        BillingAccountId,
        x_BillingPeriod as BillingPeriod,
        BillingCurrency,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost,
        sum(ListCost) as ListCost,
        sum(ContractedCost) as ContractedCost,
        count(*) as ChargeCount
    from {{ ref('fct_cost_and_usage') }}
    group by
        BillingAccountId,
        x_BillingPeriod,
        BillingCurrency

),

daily as (

    select
        BillingAccountId,
        BillingPeriod,
        BillingCurrency,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost,
        sum(ListCost) as ListCost,
        sum(ContractedCost) as ContractedCost,
        sum(ChargeCount) as ChargeCount
    from {{ ref('fct_amortized_cost_daily') }}
    group by
        BillingAccountId,
        BillingPeriod,
        BillingCurrency

)

select
    charges.BillingAccountId,
    charges.BillingPeriod,
    charges.BillingCurrency
from charges
full outer join daily
    on
        charges.BillingAccountId = daily.BillingAccountId
        and charges.BillingPeriod = daily.BillingPeriod
        and charges.BillingCurrency = daily.BillingCurrency
where
    daily.BillingAccountId is null
    or charges.BillingAccountId is null
    or charges.BilledCost != daily.BilledCost
    or charges.EffectiveCost != daily.EffectiveCost
    or charges.ListCost != daily.ListCost
    or charges.ContractedCost != daily.ContractedCost
    or charges.ChargeCount != daily.ChargeCount
