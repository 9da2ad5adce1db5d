-- Utilization of every commitment per day: the amortized cost of the usage it covered (Used
-- rows) and of what it left idle (Unused rows), from fct_cost_and_usage. A GCP day can sit
-- on two invoice months (Pacific-time invoice month), hence BillingPeriod in the grain.
{{ config(**billing_period_incremental('BillingPeriod')) }}

with usage_days as (

    select * from {{ ref('int_commitment_usage_daily') }}
    where {{ in_billing_periods('BillingPeriod') }}

),

daily as (

    select
        CommitmentDiscountId,
        ChargeDate,
        BillingPeriod,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        max(CommitmentDiscountUnit) as CommitmentDiscountUnit,
        sum(case when CommitmentDiscountStatus = 'Used' then EffectiveCost else 0 end)
            as UsedAmount,
        sum(case when CommitmentDiscountStatus = 'Unused' then EffectiveCost else 0 end)
            as UnusedAmount,
        -- 0, not NULL, for a day fully used (or fully idle) when the provider reports
        -- quantities; NULL only when it reports none
        sum(
            case
                when CommitmentDiscountStatus = 'Used' then CommitmentDiscountQuantity
                when CommitmentDiscountQuantity is not null then 0
            end
        ) as UsedQuantity,
        sum(
            case
                when CommitmentDiscountStatus = 'Unused' then CommitmentDiscountQuantity
                when CommitmentDiscountQuantity is not null then 0
            end
        ) as UnusedQuantity
    from usage_days
    group by
        CommitmentDiscountId,
        ChargeDate,
        BillingPeriod,
        ProviderName,
        BillingAccountId,
        BillingCurrency

)

select
    CommitmentDiscountId,
    ChargeDate,
    BillingPeriod,
    BillingPeriod as BillingMonth,
    ProviderName,
    BillingAccountId,
    BillingCurrency,
    cast(UsedAmount as {{ money() }}) as UsedAmount,
    cast(UnusedAmount as {{ money() }}) as UnusedAmount,
    cast(UsedQuantity as {{ money() }}) as UsedQuantity,
    cast(UnusedQuantity as {{ money() }}) as UnusedQuantity,
    CommitmentDiscountUnit,
    {{ share('UsedAmount', 'UsedAmount + UnusedAmount') }} as Utilization
from daily
