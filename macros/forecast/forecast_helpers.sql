{#- float64(): a binary floating-point type, for the variance of a forecast (never for money). -#}
{% macro float64() -%}
    {{ return(adapter.dispatch('float64', 'finops')()) }}
{%- endmacro %}

{% macro default__float64() -%}
    {{ unsupported_adapter('float64') }}
{%- endmacro %}

{% macro duckdb__float64() -%}
    double
{%- endmacro %}

{% macro bigquery__float64() -%}
    float64
{%- endmacro %}

{#- date_plus_days(date_expr, days): the DATE moved by a whole number of days. -#}
{% macro date_plus_days(date_expr, days) -%}
    {{ return(adapter.dispatch('date_plus_days', 'finops')(date_expr, days)) }}
{%- endmacro %}

{% macro default__date_plus_days(date_expr, days) -%}
    {{ unsupported_adapter('date_plus_days') }}
{%- endmacro %}

{% macro duckdb__date_plus_days(date_expr, days) -%}
    cast({{ date_expr }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro bigquery__date_plus_days(date_expr, days) -%}
    date_add({{ date_expr }}, interval {{ days }} day)
{%- endmacro %}

{#- period_start(date_expr, period): first day of the date's month, quarter or year (period
    is a SQL expression giving 'month', 'quarter' or 'year'). -#}
{% macro period_start(date_expr, period) -%}
    case {{ period }}
        when 'month' then {{ month_start(date_expr) }}
        when 'quarter' then {{ quarter_start(date_expr) }}
        when 'year' then {{ year_start(date_expr) }}
    end
{%- endmacro %}

{% macro quarter_start(date_expr) -%}
    {{ return(adapter.dispatch('quarter_start', 'finops')(date_expr)) }}
{%- endmacro %}

{% macro default__quarter_start(date_expr) -%}
    {{ unsupported_adapter('quarter_start') }}
{%- endmacro %}

{% macro duckdb__quarter_start(date_expr) -%}
    cast(date_trunc('quarter', {{ date_expr }}) as date)
{%- endmacro %}

{% macro bigquery__quarter_start(date_expr) -%}
    date_trunc({{ date_expr }}, quarter)
{%- endmacro %}

{% macro year_start(date_expr) -%}
    {{ return(adapter.dispatch('year_start', 'finops')(date_expr)) }}
{%- endmacro %}

{% macro default__year_start(date_expr) -%}
    {{ unsupported_adapter('year_start') }}
{%- endmacro %}

{% macro duckdb__year_start(date_expr) -%}
    cast(date_trunc('year', {{ date_expr }}) as date)
{%- endmacro %}

{% macro bigquery__year_start(date_expr) -%}
    date_trunc({{ date_expr }}, year)
{%- endmacro %}

{#- add_months(date_expr, months): the DATE moved by whole months. -#}
{% macro add_months(date_expr, months) -%}
    {{ return(adapter.dispatch('add_months', 'finops')(date_expr, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expr, months) -%}
    {{ unsupported_adapter('add_months') }}
{%- endmacro %}

{% macro duckdb__add_months(date_expr, months) -%}
    cast({{ date_expr }} + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}

{% macro bigquery__add_months(date_expr, months) -%}
    date_add({{ date_expr }}, interval {{ months }} month)
{%- endmacro %}
