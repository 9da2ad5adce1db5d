-- Spreading multi-day rows over days keeps every amount: per commitment and billing period,
-- used and unused in fct_commitment_utilization_daily equal Σ EffectiveCost of the
-- commitment's Used and Unused rows in fct_cost_and_usage, exactly.
-- Reported in Dagster as a check of fct_commitment_utilization_daily (the mart it guards).
{{ config(meta={'dagster': {'ref': {'name': 'fct_commitment_utilization_daily'}}}) }}

with charges as (

    select
        CommitmentDiscountId,
        x_BillingPeriod as BillingPeriod,
        sum(case when CommitmentDiscountStatus = 'Used' then EffectiveCost else 0 end) as Used,
        sum(case when CommitmentDiscountStatus = 'Unused' then EffectiveCost else 0 end)
            as Unused
    from {{ ref('fct_cost_and_usage') }}
    where CommitmentDiscountStatus in ('Used', 'Unused')
    group by
        CommitmentDiscountId,
        x_BillingPeriod

),

daily as (

    select
        CommitmentDiscountId,
        BillingPeriod,
        sum(UsedAmount) as Used,
        sum(UnusedAmount) as Unused
    from {{ ref('fct_commitment_utilization_daily') }}
    group by
        CommitmentDiscountId,
        BillingPeriod

)

select
    charges.CommitmentDiscountId,
    charges.BillingPeriod
from charges
full outer join daily
    on
        charges.CommitmentDiscountId = daily.CommitmentDiscountId
        and charges.BillingPeriod = daily.BillingPeriod
where
    daily.CommitmentDiscountId is null
    or charges.CommitmentDiscountId is null
    or charges.Used != daily.Used
    or charges.Unused != daily.Unused
