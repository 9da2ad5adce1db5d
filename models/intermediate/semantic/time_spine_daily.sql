-- The calendar the semantic layer joins time-based metrics to (MetricFlow's time spine).
with days as (

    {{ day_series('2020-01-01', '2030-12-31') }}

)

select date_day
from days
