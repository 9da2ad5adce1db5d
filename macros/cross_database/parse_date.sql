{#-
    parse_date(expr, formats): text in any of the given strftime formats -> DATE.

    Azure cost details write dates as MM/DD/YYYY, zero-padded or not (09/21/2023, 9/2/2023), and
    some exports as ISO 2020-09-22 or 2019-07-29 00:00:00: the default list accepts all of them.
    A value that matches none of the formats is an error on both adapters, never a silent NULL:
    DuckDB's strptime with a list of formats raises, and on BigQuery an explicit ERROR() does.
-#}
{% macro parse_date(expr, formats=none) -%}
    {%- set formats = formats or ['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%m/%d/%Y %H:%M:%S'] -%}
    {{ return(adapter.dispatch('parse_date', 'finops')(expr, formats)) }}
{%- endmacro %}

{% macro default__parse_date(expr, formats) -%}
    {{ unsupported_adapter('parse_date') }}
{%- endmacro %}

{% macro duckdb__parse_date(expr, formats) -%}
    cast(strptime(cast({{ expr }} as varchar), [
        {%- for format in formats %}'{{ format }}'{{ ", " if not loop.last }}{% endfor -%}
    ]) as date)
{%- endmacro %}

{% macro bigquery__parse_date(expr, formats) -%}
    case
        when {{ expr }} is not null then coalesce(
            {%- for format in formats %}
            date(safe.parse_datetime('{{ format }}', cast({{ expr }} as string))),
            {%- endfor %}
            error(concat('unparseable date: ', cast({{ expr }} as string)))
        )
    end
{%- endmacro %}
