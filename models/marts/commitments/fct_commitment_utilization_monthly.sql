-- Utilization of every commitment per billing month: the daily mart summed per billing period,
-- the figure providers report (and the generator's ground truth records).
{{ config(**billing_period_incremental('BillingPeriod')) }}

with daily as (

    select * from {{ ref('fct_commitment_utilization_daily') }}
    where {{ in_billing_periods('BillingPeriod') }}

),

monthly as (

    select
        CommitmentDiscountId,
        BillingPeriod,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        max(CommitmentDiscountUnit) as CommitmentDiscountUnit,
        sum(UsedAmount) as UsedAmount,
        sum(UnusedAmount) as UnusedAmount,
        sum(UsedQuantity) as UsedQuantity,
        sum(UnusedQuantity) as UnusedQuantity
    from daily
    group by
        CommitmentDiscountId,
        BillingPeriod,
        ProviderName,
        BillingAccountId,
        BillingCurrency

)

select
    CommitmentDiscountId,
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
from monthly
