-- What negotiated prices and commitments saved per billing month, never clamped: unused
-- commitment consumed nothing, so its on-demand equivalent is 0 and its whole EffectiveCost
-- is a loss (a bad commitment shows negative CommitmentSavings). Purchase rows are excluded:
-- their cost reaches usage through EffectiveCost.
{{ config(**billing_period_incremental('BillingPeriod')) }}

with charges as (

    select
        BillingAccountId,
        x_BillingPeriod as BillingPeriod,
        BillingCurrency,
        ProviderName,
        ServiceName,
        CommitmentDiscountId,
        case when CommitmentDiscountStatus = 'Unused' then 0 else ListCost end as ListCost,
        case
            when CommitmentDiscountStatus = 'Unused' then 0 else ContractedCost
        end as ContractedCost,
        EffectiveCost
    from {{ ref('fct_cost_and_usage') }}
    where ChargeCategory = 'Usage' and {{ in_billing_periods('x_BillingPeriod') }}

),

monthly as (

    select
        BillingAccountId,
        BillingPeriod,
        BillingCurrency,
        ProviderName,
        ServiceName,
        CommitmentDiscountId,
        sum(ListCost) as ListCost,
        sum(ContractedCost) as ContractedCost,
        sum(EffectiveCost) as EffectiveCost
    from charges
    group by
        BillingAccountId,
        BillingPeriod,
        BillingCurrency,
        ProviderName,
        ServiceName,
        CommitmentDiscountId

)

select
    BillingAccountId,
    BillingPeriod,
    BillingPeriod as BillingMonth,
    BillingCurrency,
    ProviderName,
    ServiceName,
    CommitmentDiscountId,
    cast(ListCost as {{ money() }}) as ListCost,
    cast(ContractedCost as {{ money() }}) as ContractedCost,
    cast(EffectiveCost as {{ money() }}) as EffectiveCost,
    cast(ListCost - ContractedCost as {{ money() }}) as NegotiatedSavings,
    cast(ContractedCost - EffectiveCost as {{ money() }}) as CommitmentSavings,
    cast(ListCost - EffectiveCost as {{ money() }}) as TotalSavings,
    -- negative when commitments lose money
    {{ share('ListCost - EffectiveCost', 'ListCost') }} as EffectiveSavingsRate
from monthly
