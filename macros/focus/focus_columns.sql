{#-
    The columns of the canonical FOCUS row, in the order marts.fct_cost_and_usage has them, as
    (name, data type on the target): the mart's contract (models/marts/focus/fct_cost_and_usage.yml)
    is the one list, read from dbt's graph. The 57 FOCUS 1.2 Cost and Usage columns, the
    FOCUS 1.3 columns as nullable extras, then our own x_ columns (provenance and provider ids).

    Every model in models/intermediate/focus produces exactly these columns; the union
    (int_cost_and_usage_unioned) selects them by name and casts each one to its type, so a
    model that forgets a column fails at compile time instead of shifting columns.

    The graph is filled once dbt has parsed every file: while it parses (execute is false) the
    list is empty, which only the SQL that runs would notice.
-#}
{% macro focus_columns() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set mart = graph.nodes['model.' ~ project_name ~ '.fct_cost_and_usage'] -%}
    {%- set columns = [] -%}
    {%- for column in mart.columns.values() -%}
        {%- do columns.append((column.name, column.data_type)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The select list of the mart itself: every column of focus_columns() by name, in order. -#}
{% macro focus_column_names() -%}
    {%- for name, data_type in focus_columns() %}
    {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The select list of the canonical row: every column of focus_columns() cast to its type,
    under its own name. `relation` qualifies the columns when given. -#}
{% macro focus_cast_columns(relation=none) -%}
    {%- for name, data_type in focus_columns() %}
    cast({{ relation ~ '.' if relation }}{{ name }} as {{ data_type }}) as {{ name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The select list of the canonical row, every column under its own name, except those in
    `replacements` (column name -> expression), which take the expression's value: a model
    that derives a few FOCUS columns for every source (int_cost_and_usage_unioned) keeps
    the column order and cannot drop a column. -#}
{% macro focus_columns_replacing(replacements) -%}
    {%- for name, data_type in focus_columns() %}
    {{ replacements.get(name, name) }} as {{ name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The vocabulary the mapping did not know, per row (kept as given, docs/focus-mapping.md):
    every format model produces these columns after the FOCUS ones; int_cost_and_usage stores
    them beside the row, int_focus_vocabulary_gaps_monthly counts them, the mart leaves them out. -#}
{% macro focus_vocabulary_gap_columns() -%}
    {{ return([
        'vocabulary_unknown_unit',
        'vocabulary_unknown_consumed_unit',
        'vocabulary_unknown_service',
        'vocabulary_unknown_region',
        'vocabulary_unknown_charge_type',
    ]) }}
{%- endmacro %}

{#- The select list of those columns, each cast to a string. -#}
{% macro focus_vocabulary_gap_cast_columns() -%}
    {%- for name in focus_vocabulary_gap_columns() %}
    cast({{ name }} as {{ dbt.type_string() }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
