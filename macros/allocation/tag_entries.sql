{#-
    tag_entries(json_text): a join clause that unnests a FOCUS Tags object (one flat JSON object
    text) into one row per tag, as `tag_entry.key` and `tag_entry.value` (text). A charge without
    tags gives no row (use it in a cross join). Keys and values stay data: they are read from the
    JSON at run time and compared with rule rows, never written into SQL text.

        from charges
        {{ tag_entries('charges.Tags') }}
-#}
{% macro tag_entries(json_text) -%}
    {{ return(adapter.dispatch('tag_entries', 'finops')(json_text)) }}
{%- endmacro %}

{% macro default__tag_entries(json_text) -%}
    {{ unsupported_adapter('tag_entries') }}
{%- endmacro %}

{% macro duckdb__tag_entries(json_text) -%}
    cross join unnest(
        map_entries(json_transform({{ json_text }}, '"MAP(VARCHAR, VARCHAR)"'))
    ) as tag_entries (tag_entry)
{%- endmacro %}

{% macro bigquery__tag_entries(json_text) -%}
    cross join unnest(array(
        select as struct
            tag_key as key,
            lax_string(safe.parse_json({{ json_text }})[tag_key]) as value
        from unnest(json_keys(safe.parse_json({{ json_text }}), 1)) as tag_key
    )) as tag_entry
{%- endmacro %}
