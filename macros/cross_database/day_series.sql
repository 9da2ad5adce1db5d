{#-
    day_series(first_day, last_day): a query with one row per day from first_day to last_day
    (ISO date strings, both included), column `date_day` (DATE). dbt's own date_spine asks
    the warehouse for the number of days at compile time, which the offline BigQuery compile
    (no connection) cannot do; these are single set-returning expressions instead.
-#}
{% macro day_series(first_day, last_day) -%}
    {{ return(adapter.dispatch('day_series', 'finops')(first_day, last_day)) }}
{%- endmacro %}

{% macro default__day_series(first_day, last_day) -%}
    {{ unsupported_adapter('day_series') }}
{%- endmacro %}

{% macro duckdb__day_series(first_day, last_day) -%}
    select cast(range as date) as date_day
    from range(date '{{ first_day }}', date '{{ last_day }}' + interval 1 day, interval 1 day)
{%- endmacro %}

{% macro bigquery__day_series(first_day, last_day) -%}
    select date_day
    from unnest(generate_date_array(date '{{ first_day }}', date '{{ last_day }}')) as date_day
{%- endmacro %}
