-- Unit cost per day, product, unit metric and currency: the product's allocated cost (its
-- owners' ledger, on the definition's basis and scope) over the units its metric reported.
-- A day without usable units keeps its cost and gets no unit cost, with the reason: never a
-- division by zero, never a zero filled in for a metric that did not arrive.
with definitions as (

    select * from {{ ref('unit_metric_definitions') }}

),

costs as (

    select * from {{ ref('fct_product_cost_daily') }}

),

metrics as (

    select * from {{ ref('int_unit_metrics_daily') }}

),

-- The days the warehouse knows about: any day with a cost or a metric.
calendar as (

    select cost_date as metric_date from costs
    union distinct
    select metric_date from metrics

),

-- A product's rows in a currency run from its first to its last cost day in that currency.
product_currencies as (

    select
        product,
        billing_currency,
        min(cost_date) as first_cost_date,
        max(cost_date) as last_cost_date
    from costs
    group by product, billing_currency

),

last_reported as (

    select
        product,
        metric,
        max(metric_date) as last_metric_date
    from metrics
    group by product, metric

),

spine as (

    select
        calendar.metric_date,
        definitions.unit_metric_id,
        definitions.product,
        definitions.metric,
        definitions.unit_name,
        definitions.units_per_metric_value,
        definitions.cost_basis,
        definitions.cost_scope,
        product_currencies.billing_currency
    from definitions
    inner join product_currencies
        on definitions.product = product_currencies.product
    inner join calendar
        on
            product_currencies.first_cost_date <= calendar.metric_date
            and product_currencies.last_cost_date >= calendar.metric_date
            and definitions.valid_from <= calendar.metric_date
            and (definitions.valid_to is null or definitions.valid_to > calendar.metric_date)

),

joined as (

    select
        spine.*,
        case spine.cost_basis
            when 'billed' then coalesce(costs.direct_billed_cost, 0)
            else coalesce(costs.direct_effective_cost, 0)
        end as direct_cost,
        case spine.cost_basis
            when 'billed' then coalesce(costs.shared_billed_cost, 0)
            else coalesce(costs.shared_effective_cost, 0)
        end as shared_cost,
        metrics.metric_value,
        metrics.metric_value * spine.units_per_metric_value as units,
        last_reported.last_metric_date
    from spine
    left join costs
        on
            spine.product = costs.product
            and spine.billing_currency = costs.billing_currency
            and spine.metric_date = costs.cost_date
    left join metrics
        on
            spine.product = metrics.product
            and spine.metric = metrics.metric
            and spine.metric_date = metrics.metric_date
    left join last_reported
        on
            spine.product = last_reported.product
            and spine.metric = last_reported.metric

),

costed as (

    select
        *,
        direct_cost + case when cost_scope = 'direct_and_shared' then shared_cost else 0 end
            as allocated_cost,
        case
            when metric_value is null and metric_date < last_metric_date then 'metric missing'
            when metric_value is null then 'metric not reported yet'
            when units = 0 then 'zero units'
            when units < 0 then 'negative units'
            else 'computed'
        end as unit_cost_status,
        {{ dbt.datediff(
            "cast('1970-01-01' as date)", 'metric_date', 'day'
        ) }} as day_number
    from joined

),

-- Trailing windows over the days that have units, so a missing day's cost does not inflate
-- the unit cost of its week: Σ cost / Σ units over the same days.
windowed as (

    select
        *,
        {%- set series = ['unit_metric_id', 'billing_currency'] %}
        {%- set computed_cost = "case when unit_cost_status = 'computed' then allocated_cost end" %}
        {%- set computed_units = "case when unit_cost_status = 'computed' then units end" %}
        {{ sum_over_days(computed_cost, series, 6) }} as cost_7d,
        {{ sum_over_days(computed_units, series, 6) }} as units_7d,
        {{ sum_over_days(computed_cost, series, 27) }} as cost_28d,
        {{ sum_over_days(computed_units, series, 27) }} as units_28d,
        {{ sum_over_days(computed_cost, series, 13, 7) }} as previous_cost_7d,
        {{ sum_over_days(computed_units, series, 13, 7) }} as previous_units_7d
    from costed

),

rated as (

    select
        *,
        case
            when unit_cost_status = 'computed' then {{ divide_money('allocated_cost', 'units') }}
        end as unit_cost,
        {{ divide_money('cost_7d', 'units_7d') }} as trailing_unit_cost_7d,
        {{ divide_money('cost_28d', 'units_28d') }} as trailing_unit_cost_28d,
        {{ divide_money('previous_cost_7d', 'previous_units_7d') }}
            as previous_trailing_unit_cost_7d
    from windowed

)

select
    metric_date as MetricDate,
    product as Product,
    metric as Metric,
    unit_metric_id as UnitMetricId,
    unit_name as UnitName,
    cost_basis as CostBasis,
    cost_scope as CostScope,
    billing_currency as BillingCurrency,
    cast(direct_cost as {{ money() }}) as DirectCost,
    cast(shared_cost as {{ money() }}) as SharedCost,
    cast(allocated_cost as {{ money() }}) as AllocatedCost,
    cast(metric_value as {{ money() }}) as MetricValue,
    cast(units as {{ money() }}) as Units,
    cast(unit_cost as {{ money() }}) as UnitCost,
    unit_cost_status as UnitCostStatus,
    cast(trailing_unit_cost_7d as {{ money() }}) as TrailingUnitCost7d,
    cast(trailing_unit_cost_28d as {{ money() }}) as TrailingUnitCost28d,
    cast(previous_trailing_unit_cost_7d as {{ money() }}) as PreviousTrailingUnitCost7d,
    cast(
        {{ divide_money(
            '(trailing_unit_cost_7d - previous_trailing_unit_cost_7d)',
            'previous_trailing_unit_cost_7d'
        ) }} as {{ money() }}
    ) as TrailingUnitCost7dChange
from rated
