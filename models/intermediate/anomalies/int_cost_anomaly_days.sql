-- Daily usage cost per series (provider x sub account x service x currency), judged against
-- its own past only: every figure of a day comes from the days before it, so this one query
-- is the day-by-day replay a backtest needs. Thresholds are data (seeds/anomalies).
-- A table: three marts and its grain test read it, and as a view each one ran the replay again.
{{ config(materialized='table') }}

with thresholds as (

    select
        billing_currency,
        min_history_days,
        baseline_weeks,
        money_floor,
        percent_floor,
        min_score
    from {{ ref('anomaly_thresholds') }}

),

-- Summed again over billing months: a day of a series can sit in two of them.
usage_daily as (

    select * from {{ ref('int_cost_anomaly_usage_daily') }}

),

series_costs as (

    select
        SeriesId,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        BillingCurrency,
        ChargeDate,
        sum(Cost) as Cost
    from usage_daily
    group by
        SeriesId,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        BillingCurrency,
        ChargeDate

),

-- A billing account's last day of data is still filling while its period is open: the
-- providers restate the latest day for a day or two. It is judged once a later day arrives
-- or the period's last day is in.
account_days as (

    select
        ProviderName,
        BillingAccountId,
        max(ChargeDate) as LastDay,
        max(BillingPeriodEnd) as PeriodEnd
    from usage_daily
    group by ProviderName, BillingAccountId

),

complete_days as (

    select
        ProviderName,
        BillingAccountId,
        case
            when cast({{ dbt.dateadd('day', 1, 'LastDay') }} as date) >= PeriodEnd then LastDay
            else cast({{ dbt.dateadd('day', -1, 'LastDay') }} as date)
        end as LastCompleteDay
    from account_days

),

series as (

    select
        s.SeriesId,
        s.ProviderName,
        s.BillingAccountId,
        s.SubAccountId,
        s.ServiceName,
        s.BillingCurrency,
        min(s.ChargeDate) as FirstDay,
        min(c.LastCompleteDay) as LastCompleteDay
    from series_costs as s
    inner join complete_days as c
        on
            s.ProviderName = c.ProviderName
            and s.BillingAccountId = c.BillingAccountId
    group by
        s.SeriesId,
        s.ProviderName,
        s.BillingAccountId,
        s.SubAccountId,
        s.ServiceName,
        s.BillingCurrency

),

calendar as (

    select distinct ChargeDate from series_costs

),

-- Every day of a series from its first day on, 0 where it had no usage: a resource that
-- stops is a day of 0, not a day missing from the baseline.
series_days as (

    select
        s.SeriesId,
        d.ChargeDate,
        coalesce(c.Cost, 0) as Cost
    from series as s
    inner join calendar as d
        on d.ChargeDate between s.FirstDay and s.LastCompleteDay
    left join series_costs as c
        on s.SeriesId = c.SeriesId and d.ChargeDate = c.ChargeDate

),

default_thresholds as (

    select * from thresholds
    where billing_currency is null

),

settings as (

    select
        s.SeriesId,
        coalesce(t.min_history_days, d.min_history_days) as MinHistoryDays,
        coalesce(t.baseline_weeks, d.baseline_weeks) as BaselineWeeks,
        coalesce(t.money_floor, d.money_floor) as MoneyFloor,
        coalesce(t.percent_floor, d.percent_floor) as PercentFloor,
        coalesce(t.min_score, d.min_score) as MinScore
    from series as s
    left join thresholds as t on s.BillingCurrency = t.billing_currency
    cross join default_thresholds as d

),

-- Each day with the days of its trailing window (BaselineWeeks weeks before it).
history as (

    select
        j.SeriesId,
        j.ChargeDate,
        h.Cost as PastCost,
        mod({{ dbt.datediff('h.ChargeDate', 'j.ChargeDate', 'day') }}, 7) = 0 as SameWeekday
    from series_days as j
    inner join settings as s on j.SeriesId = s.SeriesId
    inner join series_days as h
        on
            j.SeriesId = h.SeriesId
            and j.ChargeDate > h.ChargeDate
            and cast(
                {{ dbt.dateadd('day', '-7 * s.BaselineWeeks', 'j.ChargeDate') }} as date
            ) <= h.ChargeDate

),

-- Medians by rank (portable: BigQuery has no exact median aggregate): the mean of the one
-- or two middle values.
weekday_ranked as (

    select
        SeriesId,
        ChargeDate,
        PastCost,
        row_number() over (partition by SeriesId, ChargeDate order by PastCost) as ValueRank,
        count(*) over (partition by SeriesId, ChargeDate) as ValueCount
    from history
    where SameWeekday

),

expected as (

    select
        SeriesId,
        ChargeDate,
        max(ValueCount) as WeekdayValues,
        {{ divide_money('sum(PastCost)', 'count(*)') }} as ExpectedCost
    from weekday_ranked
    where ValueRank in (floor((ValueCount + 1) / 2.0), ceil((ValueCount + 1) / 2.0))
    group by SeriesId, ChargeDate

),

window_ranked as (

    select
        SeriesId,
        ChargeDate,
        PastCost,
        row_number() over (partition by SeriesId, ChargeDate order by PastCost) as ValueRank,
        count(*) over (partition by SeriesId, ChargeDate) as ValueCount
    from history

),

window_median as (

    select
        SeriesId,
        ChargeDate,
        max(ValueCount) as HistoryDays,
        {{ divide_money('sum(PastCost)', 'count(*)') }} as MedianCost
    from window_ranked
    where ValueRank in (floor((ValueCount + 1) / 2.0), ceil((ValueCount + 1) / 2.0))
    group by SeriesId, ChargeDate

),

deviation_ranked as (

    select
        h.SeriesId,
        h.ChargeDate,
        abs(h.PastCost - m.MedianCost) as Deviation,
        row_number() over (
            partition by h.SeriesId, h.ChargeDate order by abs(h.PastCost - m.MedianCost)
        ) as ValueRank,
        count(*) over (partition by h.SeriesId, h.ChargeDate) as ValueCount
    from history as h
    inner join window_median as m
        on h.SeriesId = m.SeriesId and h.ChargeDate = m.ChargeDate

),

spread as (

    select
        SeriesId,
        ChargeDate,
        {{ divide_money('sum(Deviation)', 'count(*)') }} as MedianAbsoluteDeviation
    from deviation_ranked
    where ValueRank in (floor((ValueCount + 1) / 2.0), ceil((ValueCount + 1) / 2.0))
    group by SeriesId, ChargeDate

),

judged as (

    select
        d.SeriesId,
        d.ChargeDate,
        d.Cost,
        coalesce(m.HistoryDays, 0) as HistoryDays,
        e.ExpectedCost,
        -- 1.4826 x MAD estimates a standard deviation robustly; the floor of 5% of the
        -- expected cost (and one cent) keeps a flat series from scoring any change as huge.
        greatest(
            1.4826 * coalesce(p.MedianAbsoluteDeviation, 0),
            0.05 * abs(coalesce(e.ExpectedCost, 0)),
            0.01
        ) as Scale,
        s.MinHistoryDays,
        s.MoneyFloor,
        s.PercentFloor,
        s.MinScore
    from series_days as d
    inner join settings as s on d.SeriesId = s.SeriesId
    left join window_median as m
        on d.SeriesId = m.SeriesId and d.ChargeDate = m.ChargeDate
    left join expected as e
        on d.SeriesId = e.SeriesId and d.ChargeDate = e.ChargeDate
    left join spread as p
        on d.SeriesId = p.SeriesId and d.ChargeDate = p.ChargeDate

)

select
    j.SeriesId,
    s.ProviderName,
    s.BillingAccountId,
    s.SubAccountId,
    s.ServiceName,
    s.BillingCurrency,
    j.ChargeDate,
    s.LastCompleteDay,
    cast(j.Cost as {{ money() }}) as ActualCost,
    cast(j.ExpectedCost as {{ money() }}) as ExpectedCost,
    j.HistoryDays,
    j.HistoryDays >= j.MinHistoryDays as HasHistory,
    cast(round((j.Cost - j.ExpectedCost) / j.Scale, 2) as {{ ratio() }}) as Score,
    -- The floors the day was held to, for the backtest's "large enough to be scored".
    j.MoneyFloor,
    j.PercentFloor,
    coalesce(
        j.HistoryDays >= j.MinHistoryDays
        and j.Cost - j.ExpectedCost >= j.MoneyFloor
        and j.Cost - j.ExpectedCost >= j.PercentFloor * j.ExpectedCost
        and (j.Cost - j.ExpectedCost) / j.Scale >= j.MinScore,
        false
    ) as IsAnomalous
from judged as j
inner join series as s on j.SeriesId = s.SeriesId
