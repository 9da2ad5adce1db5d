{#-
    run_rate_forecast(series, targets, commitments=none): a query with one row per row of
    `targets`, the forecast of a scope's cost over a period as of a day (docs/forecasts.md).

    series       ScopeKey, BillingCurrency, ChargeDay (DATE), Cost (every charge, on the basis
                 forecast), UsageCost (its usage-based part), RecurringCost (its recurring part:
                 monthly fees, recurring tax). Several rows per day add.
    targets      ScopeKey, BillingCurrency, AsOfDate, PeriodStart, PeriodEnd (exclusive), with
                 AsOfDate < PeriodEnd; the period may start after AsOfDate (a month ahead).
    commitments  (optional) ScopeKey, BillingCurrency, ChargeDay, CommitmentEnd (DATE),
                 CoveredDelta: a commitment's covered usage at on-demand rates minus its
                 amortized cost (used and unused) on that day.

    Method, as of day d, using only days up to d:
    - actual to date: Σ Cost from the period's start to d;
    - run rate: per weekday, the mean UsageCost of that weekday over the 28 days ending d
      (4 weeks, so every weekday counts 4 times), without a spike: when the weekday's highest
      day is more than 1.5 times the mean of its other three, the mean of those three; each
      remaining day of the period gets the rate of its weekday;
    - recurring charges: each month of the period that starts after d gets the RecurringCost of
      d's month to date (monthly fees post on the first day); one-time charges (credits,
      refunds, one-time tax) are never projected;
    - known events: a commitment ending after d moves its covered usage to on-demand rates from
      its end date: the mean daily CoveredDelta of the 28 days is added to every remaining day
      from CommitmentEnd on;
    - intervals: a normal approximation. A sum over n remaining days has variance
      n sigma^2 + n^2 s_w^2: sigma^2 = the variance of the daily residuals around the weekday
      means (21 degrees of freedom), the day-to-day noise; s_w^2 = the sample variance of the
      4 weekly mean daily costs of the 28 days, how far the level itself moves from one week to
      the next (it holds the error of the means too), which every remaining day shares.
    - less than one billing cycle (28 days) of history as of d: no forecast, with the reason.
-#}
{% macro run_rate_forecast(series, targets, commitments=none) %}
    {%- set money = money() -%}
    {%- set scope = ['ScopeKey', 'BillingCurrency'] -%}
    {#- Day numbers count from a Monday: mod(day number, 7) is the weekday. -#}
    {%- set day_zero = "cast('2000-01-03' as date)" -%}
    with

    fc_calendar as (

        select distinct ChargeDay from {{ series }}

    ),

    fc_scopes as (

        select
            ScopeKey,
            BillingCurrency,
            min(ChargeDay) as FirstDay
        from {{ series }}
        group by ScopeKey, BillingCurrency

    ),

    -- Dense: a day without a charge counts as zero in the weekday means and the variance.
    fc_dense as (

        select
            fc_scopes.ScopeKey,
            fc_scopes.BillingCurrency,
            fc_calendar.ChargeDay,
            fc_scopes.FirstDay,
            {{ days_between(day_zero, 'fc_calendar.ChargeDay') }} as day_number,
            coalesce(sum(series.Cost), 0) as Cost,
            coalesce(sum(series.UsageCost), 0) as UsageCost,
            coalesce(sum(series.RecurringCost), 0) as RecurringCost
        from fc_scopes
        inner join fc_calendar
            on fc_scopes.FirstDay <= fc_calendar.ChargeDay
        left join {{ series }} as series
            on
                fc_scopes.ScopeKey = series.ScopeKey
                and fc_scopes.BillingCurrency = series.BillingCurrency
                and fc_calendar.ChargeDay = series.ChargeDay
        group by
            fc_scopes.ScopeKey,
            fc_scopes.BillingCurrency,
            fc_calendar.ChargeDay,
            fc_scopes.FirstDay

    ),

    fc_windows as (

        select
            ScopeKey,
            BillingCurrency,
            ChargeDay,
            FirstDay,
            day_number,
            {{ sum_over_days('UsageCost', scope + ['mod(day_number, 7)'], 27) }} as WeekdaySum,
            max(UsageCost) over (
                partition by ScopeKey, BillingCurrency, mod(day_number, 7)
                order by day_number
                range between 27 preceding and current row
            ) as WeekdayMax,
            {{ sum_over_days('UsageCost', scope, 6) }} as WeekSum,
            {{ sum_over_days(
                'cast(UsageCost as ' ~ float64() ~ ') * cast(UsageCost as ' ~ float64() ~ ')',
                scope, 27) }} as SumOfSquares,
            sum(RecurringCost) over (
                partition by ScopeKey, BillingCurrency, {{ month_start('ChargeDay') }}
                order by day_number
                rows between unbounded preceding and current row
            ) as MonthRecurringCost
        from fc_dense

    ),

    -- As of each day: the 7 days ending it each carry the 28-day sum of their weekday.
    fc_rates as (

        select
            as_of.ScopeKey,
            as_of.BillingCurrency,
            as_of.ChargeDay as AsOfDate,
            {{ days_between('as_of.FirstDay', 'as_of.ChargeDay') }} + 1 as HistoryDays,
            as_of.SumOfSquares,
            as_of.MonthRecurringCost,
            mod(weekday.day_number, 7) as RateWeekday,
            -- A spike: the highest day above 1.5 x the mean of the other three (2 max > rest).
            -- A rate is money: the 4-day mean rounded, the 3-day mean truncated to 10 decimals.
            case
                when
                    weekday.WeekdaySum - weekday.WeekdayMax > 0
                    and 2 * weekday.WeekdayMax > weekday.WeekdaySum - weekday.WeekdayMax
                    then {{ divide_money('(weekday.WeekdaySum - weekday.WeekdayMax)', 3) }}
                else cast(weekday.WeekdaySum * cast(0.25 as {{ money }}) as {{ money }})
            end as DailyRate,
            cast(weekday.WeekdaySum as {{ float64() }}) as WeekdaySumFloat
        from fc_windows as as_of
        inner join fc_windows as weekday
            on
                as_of.ScopeKey = weekday.ScopeKey
                and as_of.BillingCurrency = weekday.BillingCurrency
                and weekday.day_number between as_of.day_number - 6 and as_of.day_number

    ),

    fc_spread as (

        select
            ScopeKey,
            BillingCurrency,
            AsOfDate,
            max(HistoryDays) as HistoryDays,
            greatest(max(SumOfSquares) - sum(WeekdaySumFloat * WeekdaySumFloat) / 4, 0)
            / 21 as DailyVariance
        from fc_rates
        group by ScopeKey, BillingCurrency, AsOfDate

    ),

    -- The 4 weeks ending each day (the week sums 0, 7, 14 and 21 days back: the same weekday in
    -- a 21-day RANGE frame): the spread of their mean daily cost.
    fc_weeks as (

        select
            ScopeKey,
            BillingCurrency,
            ChargeDay as AsOfDate,
            var_samp(cast(WeekSum as {{ float64() }}) / 7) over (
                partition by ScopeKey, BillingCurrency, mod(day_number, 7)
                order by day_number
                range between 21 preceding and current row
            ) as WeeklyVariance
        from fc_windows

    ),

    fc_offsets as (

        select tens.DayOffset * 20 + ones.DayOffset as DayOffset
        from ({{ day_offsets(20) }}) as tens
        cross join ({{ day_offsets(20) }}) as ones

    ),

    -- The remaining days of each target period (at most 400: a year). The offsets are bounded
    -- in whole days, so DuckDB joins on the two ranges instead of testing every target against
    -- all 400 offsets (most of the forecast's time).
    fc_future_days as (

        select
            targets.ScopeKey,
            targets.BillingCurrency,
            targets.AsOfDate,
            targets.PeriodStart,
            {{ date_plus_days('targets.PeriodStart', 'fc_offsets.DayOffset') }} as FutureDay,
            mod(
                {{ days_between(day_zero, 'targets.PeriodStart') }}
                + fc_offsets.DayOffset,
                7
            ) as FutureWeekday
        from {{ targets }} as targets
        inner join fc_offsets
            on
                fc_offsets.DayOffset > {{ days_between('targets.PeriodStart', 'targets.AsOfDate') }}
                and fc_offsets.DayOffset
                < {{ days_between('targets.PeriodStart', 'targets.PeriodEnd') }}

    ),

    fc_run_rate as (

        select
            future.ScopeKey,
            future.BillingCurrency,
            future.AsOfDate,
            future.PeriodStart,
            count(*) as RemainingDays,
            sum(
                rates.DailyRate
                + case
                    when future.FutureDay = {{ month_start('future.FutureDay') }}
                        then rates.MonthRecurringCost
                    else 0
                end
            ) as RunRateForecast
        from fc_future_days as future
        inner join fc_rates as rates
            on
                future.ScopeKey = rates.ScopeKey
                and future.BillingCurrency = rates.BillingCurrency
                and future.AsOfDate = rates.AsOfDate
                and future.FutureWeekday = rates.RateWeekday
        group by future.ScopeKey, future.BillingCurrency, future.AsOfDate, future.PeriodStart

    ),

    {% if commitments %}
        fc_commitment_rates as (

            select
                spread.ScopeKey,
                spread.BillingCurrency,
                spread.AsOfDate,
                commitments.CommitmentEnd,
                {{ divide_money('sum(commitments.CoveredDelta)', 28) }} as DailyDelta
            from fc_spread as spread
            inner join {{ commitments }} as commitments
                on
                    spread.ScopeKey = commitments.ScopeKey
                    and spread.BillingCurrency = commitments.BillingCurrency
                    and {{ days_between('commitments.ChargeDay', 'spread.AsOfDate') }}
                    between 0 and 27
            where commitments.CommitmentEnd > spread.AsOfDate
            group by
                spread.ScopeKey,
                spread.BillingCurrency,
                spread.AsOfDate,
                commitments.CommitmentEnd

        ),

        fc_expiry as (

            select
                future.ScopeKey,
                future.BillingCurrency,
                future.AsOfDate,
                future.PeriodStart,
                sum(rates.DailyDelta) as ExpiryAdjustment
            from fc_future_days as future
            inner join fc_commitment_rates as rates
                on
                    future.ScopeKey = rates.ScopeKey
                    and future.BillingCurrency = rates.BillingCurrency
                    and future.AsOfDate = rates.AsOfDate
                    and future.FutureDay >= rates.CommitmentEnd
            group by future.ScopeKey, future.BillingCurrency, future.AsOfDate, future.PeriodStart

        ),
    {% endif %}

    fc_actuals as (

        select
            targets.ScopeKey,
            targets.BillingCurrency,
            targets.AsOfDate,
            targets.PeriodStart,
            sum(dense.Cost) as ActualToDate
        from {{ targets }} as targets
        inner join fc_dense as dense
            on
                targets.ScopeKey = dense.ScopeKey
                and targets.BillingCurrency = dense.BillingCurrency
                and targets.PeriodStart <= dense.ChargeDay
                and targets.AsOfDate >= dense.ChargeDay
                and targets.PeriodEnd > dense.ChargeDay
        group by targets.ScopeKey, targets.BillingCurrency, targets.AsOfDate, targets.PeriodStart

    ),

    fc_joined as (

        select
            targets.ScopeKey,
            targets.BillingCurrency,
            targets.AsOfDate,
            targets.PeriodStart,
            targets.PeriodEnd,
            coalesce(spread.HistoryDays, 0) as HistoryDays,
            coalesce(spread.HistoryDays, 0) >= 28 as HasHistory,
            cast(coalesce(actuals.ActualToDate, 0) as {{ money }}) as ActualToDate,
            coalesce(run_rate.RemainingDays, 0) as RemainingDays,
            cast(coalesce(run_rate.RunRateForecast, 0) as {{ money }}) as RunRateForecast,
            {%- if commitments %}
                cast(coalesce(expiry.ExpiryAdjustment, 0) as {{ money }})
            {%- else %}
                cast(0 as {{ money }})
            {%- endif %} as CommitmentExpiryAdjustment,
            sqrt(
                coalesce(spread.DailyVariance, 0) * coalesce(run_rate.RemainingDays, 0)
                + coalesce(weeks.WeeklyVariance, 0)
                * coalesce(run_rate.RemainingDays, 0) * coalesce(run_rate.RemainingDays, 0)
            ) as ForecastStdDev
        from {{ targets }} as targets
        left join fc_spread as spread
            on
                targets.ScopeKey = spread.ScopeKey
                and targets.BillingCurrency = spread.BillingCurrency
                and targets.AsOfDate = spread.AsOfDate
        left join fc_weeks as weeks
            on
                targets.ScopeKey = weeks.ScopeKey
                and targets.BillingCurrency = weeks.BillingCurrency
                and targets.AsOfDate = weeks.AsOfDate
        left join fc_actuals as actuals
            on
                targets.ScopeKey = actuals.ScopeKey
                and targets.BillingCurrency = actuals.BillingCurrency
                and targets.AsOfDate = actuals.AsOfDate
                and targets.PeriodStart = actuals.PeriodStart
        left join fc_run_rate as run_rate
            on
                targets.ScopeKey = run_rate.ScopeKey
                and targets.BillingCurrency = run_rate.BillingCurrency
                and targets.AsOfDate = run_rate.AsOfDate
                and targets.PeriodStart = run_rate.PeriodStart
        {%- if commitments %}
            left join fc_expiry as expiry
                on
                    targets.ScopeKey = expiry.ScopeKey
                    and targets.BillingCurrency = expiry.BillingCurrency
                    and targets.AsOfDate = expiry.AsOfDate
                    and targets.PeriodStart = expiry.PeriodStart
        {%- endif %}

    ),

    fc_point as (

        select
            *,
            case
                when HasHistory
                    then ActualToDate + RunRateForecast + CommitmentExpiryAdjustment
            end as Forecast
        from fc_joined

    )

    select
        ScopeKey,
        BillingCurrency,
        AsOfDate,
        PeriodStart,
        PeriodEnd,
        HistoryDays,
        ActualToDate,
        RemainingDays,
        case when HasHistory then RunRateForecast end as RunRateForecast,
        case when HasHistory then CommitmentExpiryAdjustment end as CommitmentExpiryAdjustment,
        Forecast,
        Forecast - cast(round(1.2816 * ForecastStdDev, 2) as {{ money }}) as ForecastLower80,
        Forecast + cast(round(1.2816 * ForecastStdDev, 2) as {{ money }}) as ForecastUpper80,
        Forecast - cast(round(1.96 * ForecastStdDev, 2) as {{ money }}) as ForecastLower95,
        Forecast + cast(round(1.96 * ForecastStdDev, 2) as {{ money }}) as ForecastUpper95,
        case when HasHistory then 'forecast' else 'insufficient history' end as ForecastStatus,
        case
            when not HasHistory
                then
                    'less than one billing cycle of history: '
                    || cast(HistoryDays as {{ dbt.type_string() }})
                    || ' of 28 days'
        end as ForecastReason
    from fc_point
{% endmacro %}
