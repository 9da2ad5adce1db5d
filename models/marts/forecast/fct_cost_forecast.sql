-- Month-end and 3-month cost forecasts (amortized basis) per provider x sub account x service
-- category and per owner, as of every loaded day, so a backtest replays the forecast made on
-- any day against what the month then cost. Method: macros/forecast/run_rate_forecast.sql.
with charges_daily as (

    select * from {{ ref('int_forecast_series_daily') }}

),

ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

commitment_deltas as (

    select * from {{ ref('int_forecast_commitment_deltas_daily') }}

),

commitment_terms as (

    select
        CommitmentDiscountId,
        cast(CommitmentEnd as date) as CommitmentEnd
    from {{ ref('dim_commitment') }}
    where CommitmentEnd is not null

),

scopes as (

    select distinct
        'service category' as ScopeType,
        ScopeKey,
        ProviderName,
        SubAccountId,
        ServiceCategory,
        cast(null as {{ dbt.type_string() }}) as Owner  -- noqa: RF04
    from charges_daily
    union all
    select distinct
        'owner' as ScopeType,
        'owner | ' || Owner as ScopeKey,
        cast(null as {{ dbt.type_string() }}) as ProviderName,
        cast(null as {{ dbt.type_string() }}) as SubAccountId,
        cast(null as {{ dbt.type_string() }}) as ServiceCategory,
        Owner
    from ledger

),

-- Usage, recurring and one-off cost (forecast_cost_parts): the actual to date keeps the
-- one-offs, the forecast never repeats them. The charges come summed per billing month and
-- day: the forecast adds the rows of a day.
series as (

    select
        ScopeKey,
        BillingCurrency,
        ChargeDay,
        Cost,
        UsageCost,
        RecurringCost
    from charges_daily
    union all
    select
        'owner | ' || Owner as ScopeKey,
        BillingCurrency,
        ChargePeriodStart as ChargeDay,
        {{ forecast_cost_parts('AllocatedEffectiveCost') }}
    from ledger

),

-- Covered usage at on-demand (contracted) rates minus its amortized cost: what a day costs
-- more once the commitment has ended. An owner gets the charges it owns directly.
commitment_charges as (

    select
        commitment_deltas.ScopeKey,
        commitment_deltas.Owner,
        commitment_deltas.BillingCurrency,
        commitment_deltas.ChargeDay,
        commitment_terms.CommitmentEnd,
        commitment_deltas.CoveredDelta
    from commitment_deltas
    inner join commitment_terms
        on commitment_deltas.CommitmentDiscountId = commitment_terms.CommitmentDiscountId

),

commitments as (

    select
        ScopeKey,
        BillingCurrency,
        ChargeDay,
        CommitmentEnd,
        CoveredDelta
    from commitment_charges
    union all
    select
        'owner | ' || Owner as ScopeKey,
        BillingCurrency,
        ChargeDay,
        CommitmentEnd,
        CoveredDelta
    from commitment_charges
    -- the charges with a direct owner only
    where Owner is not null

),

calendar as (

    select * from {{ ref('int_charge_days_complete') }}

),

first_days as (

    select
        ScopeKey,
        BillingCurrency,
        min(ChargeDay) as FirstDay
    from series
    group by ScopeKey, BillingCurrency

),

months_ahead as (

    select 0 as MonthsAhead
    union all
    select 1 as MonthsAhead
    union all
    select 2 as MonthsAhead
    union all
    select 3 as MonthsAhead

),

-- The month of each loaded day (the month-end forecast, replayed by the backtest) and, as of
-- the latest day only, the three months after it: as of every day they would be 7 times the
-- work of the whole mart for forecasts nobody reads.
{%- set as_of_month = month_start('calendar.ChargeDay') %}
targets as (

    select
        first_days.ScopeKey,
        first_days.BillingCurrency,
        calendar.ChargeDay as AsOfDate,
        months_ahead.MonthsAhead,
        {{ add_months(as_of_month, 'months_ahead.MonthsAhead') }} as PeriodStart,
        {{ add_months(as_of_month, 'months_ahead.MonthsAhead + 1') }} as PeriodEnd
    from first_days
    inner join calendar
        on first_days.FirstDay <= calendar.ChargeDay
    inner join months_ahead
        on
            months_ahead.MonthsAhead = 0
            or calendar.ChargeDay = (select max(latest.ChargeDay) from calendar as latest)

),

forecasts as (

    {{ run_rate_forecast('series', 'targets', 'commitments') }}

)

select
    scopes.ScopeType,
    forecasts.ScopeKey,
    scopes.ProviderName,
    scopes.SubAccountId,
    scopes.ServiceCategory,
    scopes.Owner,
    forecasts.BillingCurrency,
    'amortized' as CostBasis,
    forecasts.AsOfDate,
    forecasts.PeriodStart as ForecastMonth,
    cast(targets.MonthsAhead as {{ dbt.type_bigint() }}) as MonthsAhead,
    cast(forecasts.HistoryDays as {{ dbt.type_bigint() }}) as HistoryDays,
    forecasts.ActualToDate,
    cast(forecasts.RemainingDays as {{ dbt.type_bigint() }}) as RemainingDays,
    forecasts.RunRateForecast,
    forecasts.CommitmentExpiryAdjustment,
    forecasts.Forecast,
    forecasts.ForecastLower80,
    forecasts.ForecastUpper80,
    forecasts.ForecastLower95,
    forecasts.ForecastUpper95,
    forecasts.ForecastStatus,
    forecasts.ForecastReason
from forecasts
inner join targets
    on
        forecasts.ScopeKey = targets.ScopeKey
        and forecasts.BillingCurrency = targets.BillingCurrency
        and forecasts.AsOfDate = targets.AsOfDate
        and forecasts.PeriodStart = targets.PeriodStart
inner join scopes
    on forecasts.ScopeKey = scopes.ScopeKey
