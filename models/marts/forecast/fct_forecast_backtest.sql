-- The month-end forecast replayed: for every month loaded to its last day, the forecast made
-- as of its 5th, 10th and 20th day (fct_cost_forecast keeps every as-of day) against what the
-- month then cost, per kind of scope. WAPE = Σ |forecast - actual| / Σ |actual| over the
-- scopes with a forecast; coverage = the share of them whose actual fell inside the interval.
with forecasts as (

    select * from {{ ref('fct_cost_forecast') }}
    where MonthsAhead = 0

),

-- A month's truth: its actual to date as of its last day (a complete month only).
actuals as (

    select
        ScopeKey,
        BillingCurrency,
        ForecastMonth,
        ActualToDate as MonthCost
    from forecasts
    where AsOfDate = {{ date_plus_days(add_months('ForecastMonth', 1), -1) }}

),

replayed as (

    select
        forecasts.ScopeType,
        forecasts.ForecastMonth,
        forecasts.AsOfDate,
        {{ days_between('forecasts.ForecastMonth', 'forecasts.AsOfDate') }} + 1 as AsOfDay,
        forecasts.Forecast,
        actuals.MonthCost,
        case
            when
                actuals.MonthCost between forecasts.ForecastLower80 and forecasts.ForecastUpper80
                then 1
            else 0
        end as InInterval80,
        case
            when
                actuals.MonthCost between forecasts.ForecastLower95 and forecasts.ForecastUpper95
                then 1
            else 0
        end as InInterval95
    from forecasts
    inner join actuals
        on
            forecasts.ScopeKey = actuals.ScopeKey
            and forecasts.BillingCurrency = actuals.BillingCurrency
            and forecasts.ForecastMonth = actuals.ForecastMonth
    where forecasts.ForecastStatus = 'forecast'

),

scored as (

    select
        ScopeType,
        ForecastMonth,
        AsOfDay,
        count(*) as Scopes,
        sum(abs(Forecast - MonthCost)) as AbsoluteError,
        sum(abs(MonthCost)) as AbsoluteActual,
        sum(Forecast - MonthCost) as Bias,
        sum(InInterval80) as InInterval80,
        sum(InInterval95) as InInterval95
    from replayed
    where AsOfDay in (5, 10, 20)
    group by ScopeType, ForecastMonth, AsOfDay

)

select
    ScopeType,
    ForecastMonth,
    cast(AsOfDay as {{ dbt.type_bigint() }}) as AsOfDay,
    cast(Scopes as {{ dbt.type_bigint() }}) as Scopes,
    {{ share('AbsoluteError', 'AbsoluteActual') }} as Wape,
    cast(Bias as {{ money() }}) as Bias,
    {{ share('InInterval80', 'Scopes') }} as Coverage80,
    {{ share('InInterval95', 'Scopes') }} as Coverage95
from scored
