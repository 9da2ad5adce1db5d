{#-
    sum_over_days(expression, partition_by, first_day_back, last_day_back=0): Σ expression over
    the rows of the same partition whose `day_number` lies between first_day_back and
    last_day_back days before this row's (both inclusive), e.g. (6, 0) = the trailing 7 days,
    (13, 7) = the 7 days before those. A RANGE frame on a day number, so a day with no row is
    simply absent from the window (rows frames would silently stretch over gaps).
-#}
{% macro sum_over_days(expression, partition_by, first_day_back, last_day_back=0) -%}
    sum({{ expression }}) over (
        partition by {{ partition_by | join(', ') }}
        order by day_number
        range between {{ first_day_back }} preceding
        and {{ last_day_back ~ ' preceding' if last_day_back else 'current row' }}
    )
{%- endmacro %}
