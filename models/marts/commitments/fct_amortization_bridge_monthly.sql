-- Why cash and amortized cost differ in a billing period: every row of fct_cost_and_usage
-- where BilledCost != EffectiveCost falls on exactly one bridge line, and each line holds
-- Σ (BilledCost - EffectiveCost) of its rows, so the lines add up to the difference exactly.
-- Commitment rows are classified by their role; anything else (a source that amortizes
-- something we do not recognise) lands on "Other" instead of disappearing.
{{ config(**billing_period_incremental('BillingPeriod')) }}

with charges as (

    select
        BillingAccountId,
        x_BillingPeriod as BillingPeriod,
        BillingCurrency,
        BilledCost,
        EffectiveCost,
        case
            when ChargeClass = 'Correction' or ChargeCategory = 'Adjustment'
                then 'Corrections and true-ups'
            when ChargeCategory = 'Purchase' and ChargeFrequency = 'One-Time'
                then 'Upfront fees paid this period'
            when ChargeCategory = 'Purchase' and ChargeFrequency = 'Recurring'
                then 'Recurring fees billed this period'
            when CommitmentDiscountStatus = 'Used'
                then 'Amortized commitment cost on covered usage'
            when CommitmentDiscountStatus = 'Unused'
                then 'Unused commitment'
            else 'Other'
        end as BridgeLine
    from {{ ref('fct_cost_and_usage') }}
    where BilledCost != EffectiveCost and {{ in_billing_periods('x_BillingPeriod') }}

)

select
    BillingAccountId,
    BillingPeriod,
    BillingPeriod as BillingMonth,
    BillingCurrency,
    BridgeLine,
    case BridgeLine
        when 'Upfront fees paid this period' then 1
        when 'Recurring fees billed this period' then 2
        when 'Amortized commitment cost on covered usage' then 3
        when 'Unused commitment' then 4
        when 'Corrections and true-ups' then 5
        else 6
    end as BridgeLineOrder,
    cast(sum(BilledCost) as {{ money() }}) as BilledCost,
    cast(sum(EffectiveCost) as {{ money() }}) as EffectiveCost,
    cast(sum(BilledCost - EffectiveCost) as {{ money() }}) as Amount,
    count(*) as ChargeCount
from charges
group by
    BillingAccountId,
    BillingPeriod,
    BillingCurrency,
    BridgeLine
