{#-
    parse_timestamp(expr): any timestamp the exports carry -> the same instant as a UTC timestamp.

    Accepts text or an already typed timestamp:
      2024-01-01T00:00:00Z, 2024-01-01T00:00:00.000Z (AWS), 2024-01-01T00:00Z (Azure FOCUS 1.0,
      no seconds), 2024-01-01 00:00:00 UTC (GCP dumps), 2024-01-01T02:00:00+02:00 (the offset is
      applied, not dropped), 2024-01-01 00:00:00 and 2024-01-01 (no zone: UTC).

    DuckDB returns a TIMESTAMP holding UTC wall time. A plain cast to TIMESTAMP silently drops an
    offset, so a value with a zone goes through TIMESTAMPTZ and back to UTC; a value without one
    is cast directly, so the result never depends on the session time zone of whoever queries
    the view. BigQuery's TIMESTAMP is an instant, and zone-less text is read as UTC.
-#}
{% macro parse_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'finops')(expr)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expr) -%}
    {{ unsupported_adapter('parse_timestamp') }}
{%- endmacro %}

{#- A time written without seconds (HH:MM, then an optional zone) gets ":00". -#}
{% macro _with_seconds(text_expr) -%}
    regexp_replace(
        {{ text_expr }}, '([T ][0-9]{2}:[0-9]{2})(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$', '\1:00\2'
    )
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr) -%}
    {%- set text = finops._with_seconds('cast(' ~ expr ~ ' as varchar)') -%}
    case
        when regexp_matches(
            {{ text }},
            '[0-9]:[0-9]{2}(\.[0-9]+)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?|[A-Za-z][A-Za-z_/+-]*)$'
        ) then timezone('UTC', cast({{ text }} as timestamptz))
        else cast({{ text }} as timestamp)
    end
{%- endmacro %}

{% macro bigquery__parse_timestamp(expr) -%}
    cast(regexp_replace(
        cast({{ expr }} as string),
        r'([T ][0-9]{2}:[0-9]{2})(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$',
        r'\1:00\2'
    ) as timestamp)
{%- endmacro %}
