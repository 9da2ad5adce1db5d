-- Family `unit_economics` of kpi_finops_monthly: each unit metric's monthly unit cost (Σ cost /
-- Σ units over the days that reported units, per currency) and its change against the
-- previous month. Unit costs span providers, so ProviderName is 'All'.
with daily as (

    select * from {{ ref('fct_unit_cost_daily') }}

),

monthly as (

    select
        {{ month_start('MetricDate') }} as BillingPeriodStart,
        BillingCurrency,
        UnitMetricId,
        sum(case when UnitCostStatus = 'computed' then AllocatedCost end) as cost,
        sum(case when UnitCostStatus = 'computed' then Units end) as units
    from daily
    group by {{ month_start('MetricDate') }}, BillingCurrency, UnitMetricId

),

rated as (

    select
        *,
        {{ divide_money('cost', 'units') }} as unit_cost
    from monthly

),

with_previous as (

    select
        *,
        lag(unit_cost) over (
            partition by BillingCurrency, UnitMetricId order by BillingPeriodStart
        ) as previous_unit_cost,
        lag(BillingPeriodStart) over (
            partition by BillingCurrency, UnitMetricId order by BillingPeriodStart
        ) as previous_period
    from rated

),

kpis as (

    select
        BillingPeriodStart,
        BillingCurrency,
        UnitMetricId,
        'unit_cost' as KpiName,
        'currency per unit' as KpiUnit,
        unit_cost as KpiValue,
        cost as KpiNumerator,
        units as KpiDenominator
    from with_previous
    where units is not null

    union all

    -- Only against the month right before: a gap month has no change to report.
    select
        BillingPeriodStart,
        BillingCurrency,
        UnitMetricId,
        'unit_cost_change' as KpiName,
        'ratio' as KpiUnit,
        {{ divide_money('(unit_cost - previous_unit_cost)', 'previous_unit_cost') }} as KpiValue,
        unit_cost - previous_unit_cost as KpiNumerator,
        previous_unit_cost as KpiDenominator
    from with_previous
    where
        previous_period = cast({{ dbt.dateadd('month', -1, 'BillingPeriodStart') }} as date)
        and unit_cost is not null
        and previous_unit_cost is not null

)

select
    BillingPeriodStart,
    'All' as ProviderName,
    BillingCurrency,
    'unit_economics' as KpiFamily,
    KpiName,
    UnitMetricId as KpiDimension,
    KpiUnit,
    cast(KpiValue as {{ money() }}) as KpiValue,
    cast(KpiNumerator as {{ money() }}) as KpiNumerator,
    cast(KpiDenominator as {{ money() }}) as KpiDenominator
from kpis
