-- The anomaly backtest: detection scored against the labelled changes
-- (fct_anomaly_label_match), per kind of change, with the precision of all anomalies. Rebuilt
-- whole, like the anomaly marts it reads; no labels, no rows.
with matches as (

    select * from {{ ref('fct_anomaly_label_match') }}

),

-- One row per label: its first matching anomaly, if any.
labels as (

    select
        LabelKind,
        IsScored,
        AnomalyId is not null as IsDetected,
        DaysToDetect,
        CauseNamed
    from matches
    where AnomalyId is null or IsFirstMatch

),

-- Precision counts every anomaly, whatever its day or series: one that matches no label is a
-- false alarm (or a change nobody labelled).
anomalies as (

    select count(*) as Anomalies from {{ ref('fct_cost_anomaly') }}

),

matched as (

    select count(distinct AnomalyId) as MatchedAnomalies from matches

),

kinds as (

    select
        LabelKind,
        count(*) as Labelled,
        count(case when IsScored then 1 end) as Scored,
        count(case when IsScored and IsDetected then 1 end) as Detected,
        min(case when IsScored then DaysToDetect end) as MinDaysToDetect,
        max(case when IsScored then DaysToDetect end) as MaxDaysToDetect,
        {{ divide_money('sum(case when IsScored then DaysToDetect end)',
            'count(case when IsScored and IsDetected then 1 end)') }} as MeanDaysToDetect,
        count(case when IsScored and CauseNamed then 1 end) as CauseNamed
    from labels
    group by LabelKind

)

select
    k.LabelKind,
    k.Labelled,
    k.Scored,
    k.Detected,
    {{ share('k.Detected', 'k.Scored') }} as Recall,
    k.MinDaysToDetect,
    k.MaxDaysToDetect,
    cast(round(k.MeanDaysToDetect, 1) as {{ ratio() }}) as MeanDaysToDetect,
    k.CauseNamed,
    a.Anomalies,
    m.MatchedAnomalies,
    {{ share('m.MatchedAnomalies', 'a.Anomalies') }} as Precision  -- noqa: RF04
from kinds as k
cross join anomalies as a
cross join matched as m
