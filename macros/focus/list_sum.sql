{#-
    sum_list_field(list_expr, field, filter_field=none, filter_values=none): the sum of one
    field over a list of structs, 0 for an empty or NULL list, optionally only over the
    elements whose filter_field is one of filter_values.

    GCP credits are a repeated record per export row; BilledCost = cost + Σ credits.amount,
    and the CUD credits alone are sum_list_field('credits', 'amount', 'type',
    ['COMMITTED_USAGE_DISCOUNT', ...]). Set-based on both engines: no unnest-and-regroup,
    so the row grain never changes. The sum keeps the field's exact decimal type.
-#}
{% macro sum_list_field(list_expr, field, filter_field=none, filter_values=none) -%}
    {{ return(adapter.dispatch('sum_list_field', 'finops')(
        list_expr, field, filter_field, filter_values
    )) }}
{%- endmacro %}

{% macro default__sum_list_field(list_expr, field, filter_field, filter_values) -%}
    {{ unsupported_adapter('sum_list_field') }}
{%- endmacro %}

{% macro _quoted_list(values) -%}
    {%- for value in values -%}
        '{{ value }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro duckdb__sum_list_field(list_expr, field, filter_field, filter_values) -%}
    {%- if filter_field is none -%}
        {%- set elements = list_expr -%}
    {%- else -%}
        {%- set elements = 'list_filter(' ~ list_expr ~ ', lambda element: element.'
            ~ filter_field ~ ' in (' ~ finops._quoted_list(filter_values) ~ '))' -%}
    {%- endif -%}
    coalesce(list_sum(list_transform({{ elements }}, lambda element: element.{{ field }})), 0)
{%- endmacro %}

{% macro bigquery__sum_list_field(list_expr, field, filter_field, filter_values) -%}
    coalesce((
        select sum(element.{{ field }})
        from unnest({{ list_expr }}) as element
        {%- if filter_field is not none %}
        where element.{{ filter_field }} in ({{ finops._quoted_list(filter_values) }})
        {%- endif %}
    ), 0)
{%- endmacro %}
