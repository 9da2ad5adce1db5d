{#-
    run_date(): the day (UTC) the models are built, for columns that count from today, such as
    dim_commitment.DaysToExpiry. Everything else counts from the data, so that a rebuild of the
    same data gives the same marts; unit tests override this macro to pin the day.
-#}
{% macro run_date() -%}
    {{ return(adapter.dispatch('run_date', 'finops')()) }}
{%- endmacro %}

{% macro default__run_date() -%}
    {{ unsupported_adapter('run_date') }}
{%- endmacro %}

{% macro duckdb__run_date() -%}
    cast(timezone('UTC', current_timestamp) as date)
{%- endmacro %}

{% macro bigquery__run_date() -%}
    current_date('UTC')
{%- endmacro %}
