{#-
    focus_tags(json_texts): FOCUS Tags, one flat JSON object text built from a list of JSON
    object texts (each may be NULL), e.g. focus_tags(['project_labels', 'labels']).

    Later objects win on a shared key (a resource label overrides the project label of the
    same key). Keys and values stay as the provider finalised them: normalising tag keys is
    allocation's job, not the FOCUS mapping's. Text that is not a JSON object is ignored
    rather than failing the whole build. No tags at all gives NULL, never '{}' or a
    placeholder. Keys come out sorted on both adapters.
-#}
{% macro focus_tags(json_texts) -%}
    {{ return(adapter.dispatch('focus_tags', 'finops')(json_texts)) }}
{%- endmacro %}

{% macro default__focus_tags(json_texts) -%}
    {{ unsupported_adapter('focus_tags') }}
{%- endmacro %}

{#- json_merge_patch (RFC 7396) merges the objects left to right; the result is rebuilt
    through a MAP with its entries sorted, so equal tag sets give byte-identical text (the
    staging JSON of maps and labels is key-sorted too). -#}
{% macro duckdb__focus_tags(json_texts) -%}
    nullif(cast(to_json(map_from_entries(list_sort(map_entries(json_transform(
        {%- for text in json_texts %} json_merge_patch({% endfor %}'{}'
        {%- for text in json_texts %},
            case
                when json_valid({{ text }}) and json_type({{ text }}) = 'OBJECT'
                    then {{ text }}
                else '{}'
            end)
        {%- endfor %},
        '"MAP(VARCHAR, JSON)"'
    ))))) as varchar), '{}')
{%- endmacro %}

{#- BigQuery: every key of every object with its precedence, the last one per key kept,
    rebuilt with JSON_OBJECT (keys sorted). -#}
{% macro bigquery__focus_tags(json_texts) -%}
    (
        select
            if(
                count(*) = 0,
                null,
                to_json_string(json_object(
                    array_agg(tag.key order by tag.key),
                    array_agg(tag.value order by tag.key)
                ))
            )
        from (
            select
                entry.key,
                array_agg(entry.value order by entry.precedence desc limit 1)[offset(0)] as value
            from (
                {%- for text in json_texts %}
                select
                    {{ loop.index }} as precedence,
                    key,
                    lax_string(safe.parse_json({{ text }})[key]) as value
                from unnest(json_keys(safe.parse_json({{ text }}), 1)) as key
                {%- if not loop.last %}
                union all
                {%- endif %}
                {%- endfor %}
            ) as entry
            where entry.value is not null
            group by entry.key
        ) as tag
    )
{%- endmacro %}
