-- One row per day x product x metric as the business-metrics feed reports it. A feed may
-- repeat a (day, product, metric) within one delivery; the values are summed so a repeat can
-- never fan out the cost join.
with metrics as (

    select * from {{ ref('stg_business_metrics__daily_metrics') }}

)

select
    metric_date,
    product,
    metric,
    cast(sum(metric_value) as {{ money() }}) as metric_value
from metrics
group by metric_date, product, metric
