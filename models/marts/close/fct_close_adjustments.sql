-- Adjustments of closed months: what the ledger of a closed month holds now, minus everything
-- closes froze for it (its own close and the adjustments later closes carried). A closed month
-- never changes; the difference lands in the first open month after it (docs/close.md).

with current_ledger as (

    select * from {{ ref('int_close_ledger') }}

),

closed_periods as (

    select BillingPeriodStart from {{ ref('stg_close__closed_periods') }}

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
    inner join closed_periods
        on current_ledger.BillingPeriodStart = closed_periods.BillingPeriodStart

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

),

-- The first open month after each closed one: the month after it, or after a closed month
-- that follows it, whichever is the earliest not closed.
landing_candidates as (

    select
        corrected.BillingPeriodStart as CorrectsBillingPeriodStart,
        cast({{ dbt.dateadd('month', 1, 'later.BillingPeriodStart') }} as date) as Candidate
    from closed_periods as corrected
    inner join closed_periods as later
        on corrected.BillingPeriodStart <= later.BillingPeriodStart

),

next_open as (

    select
        CorrectsBillingPeriodStart,
        min(Candidate) as AdjustmentBillingPeriodStart
    from landing_candidates
    where Candidate not in (select closed_periods.BillingPeriodStart from closed_periods)
    group by CorrectsBillingPeriodStart

)

select
    next_open.AdjustmentBillingPeriodStart,
    next_open.AdjustmentBillingPeriodStart as BillingMonth,
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
inner join next_open
    on compared.CorrectsBillingPeriodStart = next_open.CorrectsBillingPeriodStart
where
    compared.CurrentBilledCost != compared.ClosedBilledCost
    or compared.CurrentEffectiveCost != compared.ClosedEffectiveCost
