-- Anomalies: runs of consecutive anomalous days of one series (int_cost_anomaly_days), each
-- with its trailing baseline window. A table of its own, though small, so DuckDB knows it is
-- small: fct_cost_anomaly joins it to every usage row of the baseline windows, and over a
-- CTE DuckDB misjudged the few runs as millions and hashed the usage side instead (out of
-- memory at 90M line items).
{{ config(materialized='table') }}

with days as (

    select * from {{ ref('int_cost_anomaly_days') }}

),

flagged as (

    select
        SeriesId,
        ChargeDate,
        ActualCost,
        ExpectedCost,
        Score,
        HistoryDays,
        -- Consecutive days share this key (gaps and islands).
        {{ dbt.datediff("cast('2000-01-01' as date)", 'ChargeDate', 'day') }}
        - row_number() over (partition by SeriesId order by ChargeDate) as RunKey
    from days
    where IsAnomalous

),

runs as (

    select
        SeriesId,
        min(ChargeDate) as FirstDay,
        max(ChargeDate) as LastDay,
        count(*) as DurationDays,
        sum(ActualCost) as ActualCost,
        sum(ExpectedCost) as ExpectedCost,
        max(Score) as Score,
        -- Days of the baseline window the series has (at the first day; it only grows).
        min(HistoryDays) as BaselineDays
    from flagged
    group by SeriesId, RunKey

),

series as (

    select distinct
        SeriesId,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        BillingCurrency,
        LastCompleteDay
    from days

)

select
    {{ dbt.hash("concat(r.SeriesId, '|', cast(r.FirstDay as " ~ dbt.type_string() ~ "))") }}
        as AnomalyId,
    r.SeriesId,
    s.ProviderName,
    s.BillingAccountId,
    s.SubAccountId,
    s.ServiceName,
    s.BillingCurrency,
    r.FirstDay,
    r.LastDay,
    r.DurationDays,
    r.ActualCost,
    r.ExpectedCost,
    r.Score,
    r.BaselineDays,
    s.LastCompleteDay,
    -- The trailing window of the first day: what the causes and explanation compare against
    -- (the series has every day of it, 0 where it had no usage).
    cast({{ dbt.dateadd('day', '-r.BaselineDays', 'r.FirstDay') }} as date) as BaselineStart
from runs as r
inner join series as s on r.SeriesId = s.SeriesId
