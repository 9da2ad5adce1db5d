{#-
    JSON helpers for the FOCUS mapping.

    json_text_value(json_text, key): the text value of a top-level key of a JSON object
        text, NULL when absent (CUR 2.0 product map, folded to JSON in staging:
        json_text_value('product', 'product_name')). `key` is a literal written in the
        model, never data.
    to_json_text(expr): any value (list, struct) as JSON text, for x_ columns that keep a
        provider's nested detail (GCP credits).
-#}
{% macro json_text_value(json_text, key) -%}
    {{ return(adapter.dispatch('json_text_value', 'finops')(json_text, key)) }}
{%- endmacro %}

{% macro default__json_text_value(json_text, key) -%}
    {{ unsupported_adapter('json_text_value') }}
{%- endmacro %}

{% macro duckdb__json_text_value(json_text, key) -%}
    json_extract_string({{ json_text }}, '$."{{ key }}"')
{%- endmacro %}

{% macro bigquery__json_text_value(json_text, key) -%}
    json_value({{ json_text }}, '$."{{ key }}"')
{%- endmacro %}


{% macro to_json_text(expr) -%}
    {{ return(adapter.dispatch('to_json_text', 'finops')(expr)) }}
{%- endmacro %}

{% macro default__to_json_text(expr) -%}
    {{ unsupported_adapter('to_json_text') }}
{%- endmacro %}

{% macro duckdb__to_json_text(expr) -%}
    cast(to_json({{ expr }}) as varchar)
{%- endmacro %}

{% macro bigquery__to_json_text(expr) -%}
    to_json_string({{ expr }})
{%- endmacro %}
