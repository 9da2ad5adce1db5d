{#-
    zoned_month_start(yyyymm_expr, time_zone, months_after=0): the first instant of a
    calendar month in a time zone, as a UTC timestamp. yyyymm_expr is text like '202403'.

    GCP bills by invoice.month, a month in US Pacific time: invoice month 202403 runs from
    2024-03-01 08:00 UTC to 2024-04-01 07:00 UTC (summer time starts in between). FOCUS
    BillingPeriodStart/End are those instants (end = zoned_month_start(m, tz, 1), exclusive).
-#}
{% macro zoned_month_start(yyyymm_expr, time_zone, months_after=0) -%}
    {{ return(adapter.dispatch('zoned_month_start', 'finops')(yyyymm_expr, time_zone, months_after)) }}
{%- endmacro %}

{% macro default__zoned_month_start(yyyymm_expr, time_zone, months_after) -%}
    {{ unsupported_adapter('zoned_month_start') }}
{%- endmacro %}

{#- timezone(zone, timestamp) reads a wall time in that zone; timezone('UTC', timestamptz)
    gives it back as a UTC wall time (TIMESTAMP, the project's convention). -#}
{% macro duckdb__zoned_month_start(yyyymm_expr, time_zone, months_after) -%}
    timezone('UTC', timezone(
        '{{ time_zone }}',
        strptime({{ yyyymm_expr }}, '%Y%m') + interval {{ months_after | int }} month
    ))
{%- endmacro %}

{% macro bigquery__zoned_month_start(yyyymm_expr, time_zone, months_after) -%}
    timestamp(
        datetime_add(parse_datetime('%Y%m', {{ yyyymm_expr }}), interval {{ months_after | int }} month),
        '{{ time_zone }}'
    )
{%- endmacro %}
