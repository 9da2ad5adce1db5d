-- Root causes of each anomaly: per dimension (region, SKU, resource, owner), the values whose
-- cost rose most against the baseline window's daily mean, with that rise in money.
with anomalies as (

    select * from {{ ref('fct_cost_anomaly') }}

),

series_rows as (

    select
        a.AnomalyId,
        a.FirstDay,
        a.DurationDays,
        a.BaselineDays,
        u.ChargeDate,
        u.RegionId,
        u.SkuId,
        u.ResourceId,
        u.EffectiveCost
    from anomalies as a
    inner join {{ ref('int_cost_anomaly_usage') }} as u
        on
            {{ same_anomaly_series('a', 'u') }}
            and u.ChargeDate between a.BaselineStart and a.LastDay

),

ledger_rows as (

    select
        a.AnomalyId,
        a.FirstDay,
        a.DurationDays,
        a.BaselineDays,
        l.ChargePeriodStart as ChargeDate,
        l.Owner,
        l.AllocatedEffectiveCost as EffectiveCost
    from anomalies as a
    inner join {{ ref('fct_cost_allocation') }} as l
        on
            {{ same_anomaly_series('a', 'l') }}
            and l.ChargePeriodStart between a.BaselineStart and a.LastDay
    where l.ChargeCategory = 'Usage'

),

cause_rows as (

    select
        AnomalyId,
        FirstDay,
        DurationDays,
        BaselineDays,
        ChargeDate,
        EffectiveCost,
        'region' as CauseType,
        RegionId as Cause
    from series_rows
    union all
    select
        AnomalyId,
        FirstDay,
        DurationDays,
        BaselineDays,
        ChargeDate,
        EffectiveCost,
        'sku' as CauseType,
        SkuId as Cause
    from series_rows
    union all
    select
        AnomalyId,
        FirstDay,
        DurationDays,
        BaselineDays,
        ChargeDate,
        EffectiveCost,
        'resource' as CauseType,
        ResourceId as Cause
    from series_rows
    union all
    select
        AnomalyId,
        FirstDay,
        DurationDays,
        BaselineDays,
        ChargeDate,
        EffectiveCost,
        'owner' as CauseType,
        Owner as Cause
    from ledger_rows

),

contributions as (

    select
        AnomalyId,
        CauseType,
        coalesce(Cause, '(none)') as Cause,
        sum(case when ChargeDate >= FirstDay then EffectiveCost else 0 end) as ActualCost,
        {{ divide_money(
            'sum(case when ChargeDate < FirstDay then EffectiveCost else 0 end) * max(DurationDays)',
            'max(BaselineDays)'
        ) }} as ExpectedCost
    from cause_rows
    group by AnomalyId, CauseType, coalesce(Cause, '(none)')

),

ranked as (

    select
        c.AnomalyId,
        c.CauseType,
        c.Cause,
        c.ActualCost,
        c.ExpectedCost,
        c.ActualCost - c.ExpectedCost as Contribution,
        a.Impact,
        row_number() over (
            partition by c.AnomalyId, c.CauseType
            order by c.ActualCost - c.ExpectedCost desc, c.Cause
        ) as CauseRank
    from contributions as c
    inner join anomalies as a on c.AnomalyId = a.AnomalyId

)

select
    AnomalyId,
    CauseType,
    Cause,
    CauseRank,
    cast(ExpectedCost as {{ money() }}) as ExpectedCost,
    cast(ActualCost as {{ money() }}) as ActualCost,
    cast(Contribution as {{ money() }}) as Contribution,
    {{ share('Contribution', 'Impact') }} as ShareOfImpact
from ranked
-- The three largest rises per dimension: enough to name the cause without listing every
-- resource of the series.
where CauseRank <= 3 and Contribution > 0
