-- Cash and amortized cost side by side per day: BilledCost (what the invoice says),
-- EffectiveCost (commitment purchases spread onto the usage they cover and the unused
-- remainder), ListCost and ContractedCost. ChargeDate is the UTC day a charge period starts:
-- a monthly fee or a one-time purchase sits on its first day.
{{ config(**billing_period_incremental('BillingPeriod')) }}

with charges as (

    select * from {{ ref('fct_cost_and_usage') }}
    where {{ in_billing_periods('x_BillingPeriod') }}

)

select
    cast(ChargePeriodStart as date) as ChargeDate,
    x_BillingPeriod as BillingPeriod,
    x_BillingPeriod as BillingMonth,
    ProviderName,
    BillingAccountId,
    BillingCurrency,
    SubAccountId,
    ServiceName,
    RegionId,
    ResourceId,
    ChargeCategory,
    ChargeClass,
    CommitmentDiscountId,
    CommitmentDiscountStatus,
    x_AmortizationClass,
    cast(sum(BilledCost) as {{ money() }}) as BilledCost,
    cast(sum(EffectiveCost) as {{ money() }}) as EffectiveCost,
    cast(sum(ListCost) as {{ money() }}) as ListCost,
    cast(sum(ContractedCost) as {{ money() }}) as ContractedCost,
    count(*) as ChargeCount
from charges
group by
    cast(ChargePeriodStart as date),
    x_BillingPeriod,
    ProviderName,
    BillingAccountId,
    BillingCurrency,
    SubAccountId,
    ServiceName,
    RegionId,
    ResourceId,
    ChargeCategory,
    ChargeClass,
    CommitmentDiscountId,
    CommitmentDiscountStatus,
    x_AmortizationClass
