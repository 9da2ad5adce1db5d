-- Adjustments of closed months: what the ledger of a closed month holds now, minus everything
-- closes froze for it (its own close and the adjustments later closes carried). A closed month
-- never changes; the difference lands in the first open month after it
-- (int_close_adjustment_periods, docs/close.md). The same rule at the grain of the extracts:
-- fct_close_extract_details.

with current_ledger as (

    select * from {{ ref('int_close_ledger') }}

),

landing as (

    select * from {{ ref('int_close_adjustment_periods') }}

),

frozen as (

    select
        BillingPeriodStart,
        BillingAccountId,
        SubAccountId,
        InvoiceId,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost
    from {{ ref('stg_close__closed_ledger') }}
    group by
        BillingPeriodStart,
        BillingAccountId,
        SubAccountId,
        InvoiceId,
        ServiceName,
        ChargeCategory,
        BillingCurrency

),

current_of_closed as (

    select current_ledger.*
    from current_ledger
    inner join landing
        on current_ledger.BillingPeriodStart = landing.CorrectsBillingPeriodStart

),

compared as (

    select
        coalesce(cur.BillingPeriodStart, frozen.BillingPeriodStart) as CorrectsBillingPeriodStart,
        coalesce(cur.BillingAccountId, frozen.BillingAccountId) as BillingAccountId,
        coalesce(cur.SubAccountId, frozen.SubAccountId) as SubAccountId,
        coalesce(cur.InvoiceId, frozen.InvoiceId) as InvoiceId,
        coalesce(cur.ServiceName, frozen.ServiceName) as ServiceName,
        coalesce(cur.ChargeCategory, frozen.ChargeCategory) as ChargeCategory,
        coalesce(cur.BillingCurrency, frozen.BillingCurrency) as BillingCurrency,
        coalesce(frozen.BilledCost, 0) as ClosedBilledCost,
        coalesce(cur.BilledCost, 0) as CurrentBilledCost,
        coalesce(frozen.EffectiveCost, 0) as ClosedEffectiveCost,
        coalesce(cur.EffectiveCost, 0) as CurrentEffectiveCost
    from current_of_closed as cur
    full outer join frozen
        on
            cur.BillingPeriodStart = frozen.BillingPeriodStart
            and cur.BillingAccountId is not distinct from frozen.BillingAccountId
            and cur.SubAccountId is not distinct from frozen.SubAccountId
            and cur.InvoiceId is not distinct from frozen.InvoiceId
            and cur.ServiceName is not distinct from frozen.ServiceName
            and cur.ChargeCategory is not distinct from frozen.ChargeCategory
            and cur.BillingCurrency = frozen.BillingCurrency

)

select
    landing.AdjustmentBillingPeriodStart,
    landing.AdjustmentBillingPeriodStart as BillingMonth,
    compared.CorrectsBillingPeriodStart,
    compared.BillingAccountId,
    compared.SubAccountId,
    compared.InvoiceId,
    compared.ServiceName,
    compared.ChargeCategory,
    compared.BillingCurrency,
    cast(compared.ClosedBilledCost as {{ money() }}) as ClosedBilledCost,
    cast(compared.CurrentBilledCost as {{ money() }}) as CurrentBilledCost,
    cast(compared.CurrentBilledCost - compared.ClosedBilledCost as {{ money() }})
        as AdjustmentBilledCost,
    cast(compared.ClosedEffectiveCost as {{ money() }}) as ClosedEffectiveCost,
    cast(compared.CurrentEffectiveCost as {{ money() }}) as CurrentEffectiveCost,
    cast(compared.CurrentEffectiveCost - compared.ClosedEffectiveCost as {{ money() }})
        as AdjustmentEffectiveCost

from compared
inner join landing
    on compared.CorrectsBillingPeriodStart = landing.CorrectsBillingPeriodStart
where
    compared.CurrentBilledCost != compared.ClosedBilledCost
    or compared.CurrentEffectiveCost != compared.ClosedEffectiveCost
