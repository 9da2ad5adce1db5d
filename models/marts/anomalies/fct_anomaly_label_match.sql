-- The anomaly backtest's matching: each labelled change (stg_anomaly_labels__labels) with its
-- series, whether that series could be judged on the change's first day, and the anomalies
-- that found it. int_cost_anomaly_days judges every day from earlier days only, so its
-- anomalies are what a day-by-day replay would have raised: this reads them as they are.

with labels as (

    select * from {{ ref('stg_anomaly_labels__labels') }}

),

usage as (

    select * from {{ ref('int_cost_anomaly_usage') }}

),

-- The series whose usage rows fit every column the label gives, with their rise from the day
-- before the change to its first day.
candidates as (

    select
        l.label_id,
        u.SeriesId,
        u.ProviderName,
        u.BillingAccountId,
        u.SubAccountId,
        u.ServiceName,
        u.BillingCurrency,
        sum(
            case when u.ChargeDate = l.first_day then u.EffectiveCost else -u.EffectiveCost end
        ) as Rise
    from labels as l
    inner join usage as u
        on
            (l.provider_name is null or l.provider_name = u.ProviderName)
            and (l.billing_account_id is null or l.billing_account_id = u.BillingAccountId)
            and (l.sub_account_id is null or l.sub_account_id = u.SubAccountId)
            and (l.service_name is null or l.service_name = u.ServiceName)
            and (l.resource_id is null or lower(l.resource_id) = lower(u.ResourceId))
            and u.ChargeDate
            between cast({{ dbt.dateadd('day', -1, 'l.first_day') }} as date) and l.first_day
    group by
        l.label_id,
        u.SeriesId,
        u.ProviderName,
        u.BillingAccountId,
        u.SubAccountId,
        u.ServiceName,
        u.BillingCurrency

),

-- A resource billed under two services (an instance and its data transfer) belongs to the
-- one where its cost rose most: where the extra usage landed.
label_series as (

    select
        *,
        row_number() over (partition by label_id order by Rise desc, SeriesId asc) as SeriesRank
    from candidates

),

labelled as (

    select
        l.label_id,
        l.kind,
        l.first_day,
        l.last_day,
        l.resource_id,
        l.extra_cost_per_day,
        s.SeriesId,
        s.ProviderName,
        s.BillingAccountId,
        s.SubAccountId,
        s.ServiceName,
        s.BillingCurrency,
        coalesce(d.HasHistory, false) as HasHistory,
        -- Scored (counted in recall): judged, and large enough to be flagged at all: the extra
        -- cost per day clears both floors against the first day's expected cost. A drift
        -- starts below the floors by nature (its delay is what matters), and a label without
        -- an extra cost cannot be sized: both are scored whenever judged.
        coalesce(
            d.HasHistory
            and (
                l.kind = 'drift'
                or l.extra_cost_per_day is null
                or (
                    l.extra_cost_per_day >= d.MoneyFloor
                    and l.extra_cost_per_day >= d.PercentFloor * coalesce(d.ExpectedCost, 0)
                )
            ),
            false
        ) as IsScored
    from labels as l
    left join label_series as s on l.label_id = s.label_id and s.SeriesRank = 1
    left join {{ ref('int_cost_anomaly_days') }} as d
        on s.SeriesId = d.SeriesId and l.first_day = d.ChargeDate

),

-- An anomaly finds a change when it is on the change's series and overlaps its days: a spike
-- (one day) is found by an anomaly covering its day, a lasting change by one from its first
-- day on.
matched as (

    select
        l.label_id,
        a.AnomalyId,
        case when a.FirstDay > l.first_day then a.FirstDay else l.first_day end as DetectedOn,
        row_number() over (partition by l.label_id order by a.FirstDay) as MatchRank
    from labelled as l
    inner join {{ ref('fct_cost_anomaly') }} as a
        on
            {{ same_anomaly_series('a', 'l') }}
            and a.LastDay >= l.first_day
            and (l.last_day is null or a.FirstDay <= l.last_day)

),

top_resource as (

    select
        AnomalyId,
        Cause
    from {{ ref('fct_cost_anomaly_cause') }}
    where CauseType = 'resource' and CauseRank = 1

)

select
    l.label_id as LabelId,
    l.kind as LabelKind,
    l.first_day as FirstDay,
    l.last_day as LastDay,
    l.SeriesId,
    l.ProviderName,
    l.BillingAccountId,
    l.SubAccountId,
    l.ServiceName,
    l.BillingCurrency,
    l.HasHistory,
    l.IsScored,
    m.AnomalyId,
    m.DetectedOn,
    m.MatchRank = 1 as IsFirstMatch,
    -- Days from the change's first day to the anomaly's (0 when the anomaly was already open).
    {{ dbt.datediff('l.first_day', 'm.DetectedOn', 'day') }}
        as DaysToDetect,
    c.Cause as TopResource,
    -- A label that names a resource is named by the anomaly's top resource cause; one that
    -- does not (charges without a resource id) by the anomaly's series, its finest name.
    case
        when m.AnomalyId is null then null
        when l.resource_id is null then true
        else lower(coalesce(c.Cause, '')) = lower(l.resource_id)
    end as CauseNamed
from labelled as l
left join matched as m on l.label_id = m.label_id
left join top_resource as c on m.AnomalyId = c.AnomalyId
