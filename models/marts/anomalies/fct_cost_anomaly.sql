-- Anomalies (int_cost_anomaly_runs) with the owner from the allocation ledger and an
-- explanation in FOCUS terms. Rebuilt whole: a day is judged against the weeks before it,
-- across billing months.
with anomalies as (

    select * from {{ ref('int_cost_anomaly_runs') }}

),

-- Per SKU and region: mean daily quantity and cost before (baseline) and during the anomaly.
sku_region as (

    select
        a.AnomalyId,
        u.SkuId,
        u.RegionId,
        sum(case when u.ChargeDate < a.FirstDay then u.PricingQuantity else 0 end) as Quantity0,
        sum(case when u.ChargeDate < a.FirstDay then u.EffectiveCost else 0 end) as Cost0,
        sum(
            case
                when u.ChargeDate < a.FirstDay and u.CommitmentDiscountStatus = 'Used'
                    then u.PricingQuantity
                else 0
            end
        ) as Covered0,
        sum(case when u.ChargeDate >= a.FirstDay then u.PricingQuantity else 0 end) as Quantity1,
        sum(case when u.ChargeDate >= a.FirstDay then u.EffectiveCost else 0 end) as Cost1,
        sum(
            case
                when u.ChargeDate >= a.FirstDay and u.CommitmentDiscountStatus = 'Used'
                    then u.PricingQuantity
                else 0
            end
        ) as Covered1,
        max(a.BaselineDays) as BaselineDays,
        max(a.DurationDays) as DurationDays
    from anomalies as a
    inner join {{ ref('int_cost_anomaly_usage') }} as u
        on
            a.SeriesId = u.SeriesId
            and a.BaselineStart <= u.ChargeDate
            and a.LastDay >= u.ChargeDate
    group by a.AnomalyId, u.SkuId, u.RegionId

),

sku_region_means as (

    select
        *,
        {{ divide_money('Cost0 * DurationDays', 'BaselineDays') }} as ExpectedCost1,
        {{ divide_money('Quantity0', 'BaselineDays') }} as DailyQuantity0,
        {{ divide_money('Quantity1', 'DurationDays') }} as DailyQuantity1,
        {{ divide_money('Cost0', 'Quantity0') }} as UnitCost0
    from sku_region

),

-- Change against the baseline's daily mean, over the anomaly's days, split per SKU and region
-- into a quantity effect (at the old unit cost) and a rate effect (the rest); a SKU or region
-- the baseline never had is all new.
effects as (

    select
        AnomalyId,
        sum(case when Quantity0 = 0 and Cost0 = 0 then Cost1 else 0 end) as NewSkuOrRegionCost,
        sum(
            case
                when Quantity0 = 0 and Cost0 = 0 then 0
                when Quantity0 = 0 then Cost1 - ExpectedCost1
                else (DailyQuantity1 - DailyQuantity0) * UnitCost0 * DurationDays
            end
        ) as QuantityEffect,
        sum(
            case
                when Quantity0 = 0 then 0
                else
                    Cost1 - ExpectedCost1
                    - (DailyQuantity1 - DailyQuantity0) * UnitCost0 * DurationDays
            end
        ) as RateEffect,
        {{ divide_money('sum(Covered0)', 'sum(Quantity0)') }} as CoverageBefore,
        {{ divide_money('sum(Covered1)', 'sum(Quantity1)') }} as CoverageDuring
    from sku_region_means
    group by AnomalyId

),

owners as (

    select
        a.AnomalyId,
        l.Owner,
        row_number() over (
            partition by a.AnomalyId order by sum(l.AllocatedEffectiveCost) desc, l.Owner
        ) as OwnerRank
    from anomalies as a
    inner join {{ ref('fct_cost_allocation') }} as l
        on
            {{ same_anomaly_series('a', 'l') }}
            and l.ChargePeriodStart between a.FirstDay and a.LastDay
    where l.ChargeCategory = 'Usage'
    group by a.AnomalyId, l.Owner

)

select
    a.AnomalyId,
    a.ProviderName,
    a.BillingAccountId,
    a.SubAccountId,
    a.ServiceName,
    a.BillingCurrency,
    o.Owner,
    a.FirstDay,
    a.LastDay,
    a.DurationDays,
    a.BaselineStart,
    a.BaselineDays,
    cast(a.ExpectedCost as {{ money() }}) as ExpectedCost,
    cast(a.ActualCost as {{ money() }}) as ActualCost,
    cast(a.ActualCost - a.ExpectedCost as {{ money() }}) as Impact,
    {{ share('a.ActualCost - a.ExpectedCost', 'a.ExpectedCost') }} as ImpactPercent,
    a.Score,
    case
        when a.LastDay < a.LastCompleteDay then 'resolved'
        when a.FirstDay = a.LastDay then 'new'
        else 'ongoing'
    end as Status,
    case
        when e.NewSkuOrRegionCost * 2 >= a.ActualCost - a.ExpectedCost then 'new SKU or region'
        when e.RateEffect > e.QuantityEffect and e.CoverageBefore - e.CoverageDuring >= 0.1
            then 'commitment coverage lost'
        when e.RateEffect > e.QuantityEffect then 'rate change'
        else 'quantity change'
    end as Explanation,
    cast(e.QuantityEffect as {{ money() }}) as QuantityEffect,
    cast(e.RateEffect as {{ money() }}) as RateEffect,
    cast(e.NewSkuOrRegionCost as {{ money() }}) as NewSkuOrRegionCost,
    cast(e.CoverageBefore as {{ ratio() }}) as CoverageBefore,
    cast(e.CoverageDuring as {{ ratio() }}) as CoverageDuring
from anomalies as a
inner join effects as e on a.AnomalyId = e.AnomalyId
left join owners as o on a.AnomalyId = o.AnomalyId and o.OwnerRank = 1
