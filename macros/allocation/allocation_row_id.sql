{#-
    allocation_row_id(columns): a deterministic text id of a ledger row, the MD5 hex digest of
    its key columns (NULL written as an empty marker, columns separated by a unit separator so
    ('a', 'bc') and ('ab', 'c') differ). Same inputs, same id: a re-run keeps ids stable.
-#}
{% macro allocation_row_id(columns) -%}
    {{ return(adapter.dispatch('allocation_row_id', 'finops')(columns)) }}
{%- endmacro %}

{% macro default__allocation_row_id(columns) -%}
    {{ unsupported_adapter('allocation_row_id') }}
{%- endmacro %}

{% macro duckdb__allocation_row_id(columns) -%}
    md5(concat_ws(chr(31)
        {%- for column in columns %}, coalesce(cast({{ column }} as varchar), chr(30)){% endfor -%}
    ))
{%- endmacro %}

{% macro bigquery__allocation_row_id(columns) -%}
    to_hex(md5(array_to_string([
        {%- for column in columns %}
        coalesce(cast({{ column }} as string), code_points_to_string([30])){{ "," if not loop.last }}
        {%- endfor %}
    ], code_points_to_string([31]))))
{%- endmacro %}
