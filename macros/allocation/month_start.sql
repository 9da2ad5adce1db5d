{#- month_start(date_expr): the first day of the date's month, as a DATE. -#}
{% macro month_start(date_expr) -%}
    {{ return(adapter.dispatch('month_start', 'finops')(date_expr)) }}
{%- endmacro %}

{% macro default__month_start(date_expr) -%}
    {{ unsupported_adapter('month_start') }}
{%- endmacro %}

{% macro duckdb__month_start(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) as date)
{%- endmacro %}

{% macro bigquery__month_start(date_expr) -%}
    date_trunc({{ date_expr }}, month)
{%- endmacro %}
