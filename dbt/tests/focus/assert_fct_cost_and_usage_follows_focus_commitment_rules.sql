-- The FOCUS 1.2 rules for commitments and consumption, row by row (the specification's column
-- requirements; docs/focus-mapping.md). One failing row per broken rule.
with charges as (

    select * from {{ ref('fct_cost_and_usage') }}

)

select
    x_RowId as row_id,
    x_SourceFormat as source_format,
    case
        when x_AmortizationClass = 'Principal' and EffectiveCost != 0
            then 'a commitment purchase amortized elsewhere must have EffectiveCost 0'
        when CommitmentDiscountStatus = 'Unused' and BilledCost != 0
            then 'an Unused commitment row has no cash of its own (BilledCost 0)'
        when CommitmentDiscountStatus = 'Unused' and ResourceId != CommitmentDiscountId
            then 'an Unused commitment row is about the commitment: ResourceId = its id'
        when CommitmentDiscountStatus is not null and ChargeCategory != 'Usage'
            then 'CommitmentDiscountStatus is only set on Usage rows'
        when CommitmentDiscountStatus is not null and CommitmentDiscountId is null
            then 'a Used/Unused row names its commitment'
        when
            CommitmentDiscountId is not null and ChargeCategory = 'Usage'
            and CommitmentDiscountStatus is null
            then 'usage of a commitment is Used or Unused'
        when ChargeCategory = 'Credit' and EffectiveCost != BilledCost
            then 'a credit has EffectiveCost = BilledCost'
        when ChargeCategory != 'Usage' and ConsumedQuantity is not null
            then 'ConsumedQuantity is only set on Usage rows'
        when ChargeCategory = 'Tax' and PricingCategory is not null
            then 'PricingCategory is NULL on Tax rows'
        when
            ChargeCategory in ('Usage', 'Purchase') and ChargeClass is null
            and PricingCategory is null
            then 'Usage and Purchase rows have a PricingCategory'
        when
            PricingCategory = 'Committed' and ChargeCategory = 'Usage'
            and CommitmentDiscountId is null and CommitmentDiscountStatus is not null
            then 'committed usage names its commitment'
        when BillingPeriodEnd <= BillingPeriodStart
            then 'BillingPeriodEnd is exclusive and after BillingPeriodStart'
        when ChargePeriodEnd < ChargePeriodStart
            then 'ChargePeriodEnd is not before ChargePeriodStart'
    end as broken_rule
from charges
where
    (x_AmortizationClass = 'Principal' and EffectiveCost != 0)
    or (CommitmentDiscountStatus = 'Unused' and BilledCost != 0)
    or (CommitmentDiscountStatus = 'Unused' and ResourceId != CommitmentDiscountId)
    or (CommitmentDiscountStatus is not null and ChargeCategory != 'Usage')
    or (CommitmentDiscountStatus is not null and CommitmentDiscountId is null)
    or (
        CommitmentDiscountId is not null and ChargeCategory = 'Usage'
        and CommitmentDiscountStatus is null
    )
    or (ChargeCategory = 'Credit' and EffectiveCost != BilledCost)
    or (ChargeCategory != 'Usage' and ConsumedQuantity is not null)
    or (ChargeCategory = 'Tax' and PricingCategory is not null)
    or (
        ChargeCategory in ('Usage', 'Purchase') and ChargeClass is null
        and PricingCategory is null
    )
    or (
        PricingCategory = 'Committed' and ChargeCategory = 'Usage'
        and CommitmentDiscountId is null and CommitmentDiscountStatus is not null
    )
    or BillingPeriodEnd <= BillingPeriodStart
    or ChargePeriodEnd < ChargePeriodStart
