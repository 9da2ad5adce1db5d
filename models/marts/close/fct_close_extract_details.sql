-- What closing each open month would write and freeze, exact, at the grain of its extracts
-- (owner, team, business unit, cost center, environment): the month's own rows of
-- fct_showback_monthly, and the adjustments it carries for closed months whose first open month
-- it is (int_close_adjustment_periods): their showback now minus everything the closes froze
-- for them (close.closed_showback). The same rule at the ledger grain: fct_close_adjustments.
-- A view, so a close reads the close state as it is at that moment.
{{ config(materialized='view') }}

with showback as (

    select
        BillingPeriodStart,
        Owner,
        Team,
        BusinessUnit,
        CostCenter,
        Environment,
        BillingCurrency,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost
    from {{ ref('fct_showback_monthly') }}
    group by
        BillingPeriodStart,
        Owner,
        Team,
        BusinessUnit,
        CostCenter,
        Environment,
        BillingCurrency

),

landing as (

    select * from {{ ref('int_close_adjustment_periods') }}

),

closed_periods as (

    select BillingPeriodStart from {{ ref('stg_close__closed_periods') }}

),

frozen as (

    select
        BillingPeriodStart,
        Owner,
        Team,
        BusinessUnit,
        CostCenter,
        Environment,
        BillingCurrency,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost
    from {{ ref('stg_close__closed_showback') }}
    group by
        BillingPeriodStart,
        Owner,
        Team,
        BusinessUnit,
        CostCenter,
        Environment,
        BillingCurrency

),

current_of_closed as (

    select showback.*
    from showback
    inner join landing
        on showback.BillingPeriodStart = landing.CorrectsBillingPeriodStart

),

compared as (

    select
        coalesce(cur.BillingPeriodStart, frozen.BillingPeriodStart) as CorrectsBillingPeriodStart,
        coalesce(cur.Owner, frozen.Owner) as Owner,  -- noqa: RF04
        coalesce(cur.Team, frozen.Team) as Team,
        coalesce(cur.BusinessUnit, frozen.BusinessUnit) as BusinessUnit,
        coalesce(cur.CostCenter, frozen.CostCenter) as CostCenter,
        coalesce(cur.Environment, frozen.Environment) as Environment,
        coalesce(cur.BillingCurrency, frozen.BillingCurrency) as BillingCurrency,
        coalesce(cur.BilledCost, 0) - coalesce(frozen.BilledCost, 0) as BilledCost,
        coalesce(cur.EffectiveCost, 0) - coalesce(frozen.EffectiveCost, 0) as EffectiveCost
    from current_of_closed as cur
    full outer join frozen
        on
            cur.BillingPeriodStart = frozen.BillingPeriodStart
            and cur.Owner is not distinct from frozen.Owner
            and cur.Team is not distinct from frozen.Team
            and cur.BusinessUnit is not distinct from frozen.BusinessUnit
            and cur.CostCenter is not distinct from frozen.CostCenter
            and cur.Environment is not distinct from frozen.Environment
            and cur.BillingCurrency = frozen.BillingCurrency

),

own_rows as (

    select
        showback.BillingPeriodStart,
        'charge' as RowType,
        cast(null as date) as CorrectsBillingPeriodStart,
        showback.Owner,
        showback.Team,
        showback.BusinessUnit,
        showback.CostCenter,
        showback.Environment,
        showback.BillingCurrency,
        showback.BilledCost,
        showback.EffectiveCost
    from showback
    where showback.BillingPeriodStart not in (
        select closed_periods.BillingPeriodStart from closed_periods
    )

),

adjustment_rows as (

    select
        landing.AdjustmentBillingPeriodStart as BillingPeriodStart,
        'adjustment' as RowType,
        compared.CorrectsBillingPeriodStart,
        compared.Owner,
        compared.Team,
        compared.BusinessUnit,
        compared.CostCenter,
        compared.Environment,
        compared.BillingCurrency,
        compared.BilledCost,
        compared.EffectiveCost
    from compared
    inner join landing
        on compared.CorrectsBillingPeriodStart = landing.CorrectsBillingPeriodStart
    -- A key whose amounts did not change carries nothing.
    where compared.BilledCost != 0 or compared.EffectiveCost != 0

),

unioned as (

    select * from own_rows
    union all
    select * from adjustment_rows

)

select
    BillingPeriodStart,
    BillingPeriodStart as BillingMonth,
    RowType,
    CorrectsBillingPeriodStart,
    Owner,
    Team,
    BusinessUnit,
    CostCenter,
    Environment,
    BillingCurrency,
    cast(BilledCost as {{ money() }}) as BilledCost,
    cast(EffectiveCost as {{ money() }}) as EffectiveCost
from unioned
