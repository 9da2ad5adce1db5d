{#-
    accepted_range for several columns of one model, in one test: fails with one row per
    column and row whose value lies outside its bounds (column_name, out_of_range_value), i.e.
    the failures of one accepted_range test per column, added up. Bounds as in accepted_range
    (inclusive unless inclusive: false); NULLs pass.

        data_tests:
          - accepted_range_columns:
              arguments:
                columns:
                  Recall: {min_value: 0, max_value: 1}
                  Precision: {min_value: 0, max_value: 1}
-#}
{% test accepted_range_columns(model, columns) %}

with checked as (

    select {{ columns.keys() | join(", ") }}
    from {{ model }}

)

{% for column, bounds in columns.items() -%}
select
    '{{ column }}' as column_name,
    cast({{ column }} as {{ dbt.type_string() }}) as out_of_range_value
from checked
where {{ outside_range(
    column, bounds.get("min_value"), bounds.get("max_value"), bounds.get("inclusive", true)
) }}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
