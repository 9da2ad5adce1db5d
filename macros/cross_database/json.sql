{#-
    Key/value collections -> one flat JSON object as text, keys sorted, e.g. {"env":"prod"}.
    FOCUS wants Tags as one JSON object string, so staging hands every tag-like column on in this
    shape. A NULL collection stays NULL; an empty one becomes '{}'.

    json_object_from_map(expr): a map column (AWS CUR 2.0 resource_tags, cost_category, product,
        discount). DuckDB: MAP(VARCHAR, ...). BigQuery has no MAP type: a Parquet map lands as an
        array of STRUCT<key, value>, so it shares json_object_from_entries.
    json_object_from_entries(expr): an array of STRUCT<key, value> (GCP labels, system_labels,
        project.labels). Keys are unique per resource in the GCP export; DuckDB raises on a
        duplicate key rather than picking one.
-#}
{% macro json_object_from_map(expr) -%}
    {{ return(adapter.dispatch('json_object_from_map', 'finops')(expr)) }}
{%- endmacro %}

{% macro default__json_object_from_map(expr) -%}
    {{ unsupported_adapter('json_object_from_map') }}
{%- endmacro %}

{% macro duckdb__json_object_from_map(expr) -%}
    cast(to_json(map_from_entries(list_sort(map_entries({{ expr }})))) as varchar)
{%- endmacro %}

{% macro bigquery__json_object_from_map(expr) -%}
    {{ bigquery__json_object_from_entries(expr) }}
{%- endmacro %}


{% macro json_object_from_entries(expr) -%}
    {{ return(adapter.dispatch('json_object_from_entries', 'finops')(expr)) }}
{%- endmacro %}

{% macro default__json_object_from_entries(expr) -%}
    {{ unsupported_adapter('json_object_from_entries') }}
{%- endmacro %}

{% macro duckdb__json_object_from_entries(expr) -%}
    cast(to_json(map_from_entries(list_sort({{ expr }}))) as varchar)
{%- endmacro %}

{% macro bigquery__json_object_from_entries(expr) -%}
    case
        when {{ expr }} is null then null
        when array_length({{ expr }}) = 0 then '{}'
        else (
            select to_json_string(json_object(
                array_agg(entry.key order by entry.key),
                array_agg(entry.value order by entry.key)
            ))
            from unnest({{ expr }}) as entry
        )
    end
{%- endmacro %}
