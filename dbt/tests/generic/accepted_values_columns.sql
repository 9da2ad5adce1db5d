{#-
    accepted_values for several columns of one model, in one test: fails with one row per
    column and value outside its list (column_name, value_field, n_records), i.e. the failures
    of one dbt accepted_values test per column, added up. NULLs pass, as there. Every test is
    a dbt node and a Dagster check that each run pays for (docs/dbt.md, "Which check goes
    where"): one per model instead of one per column.

        data_tests:
          - accepted_values_columns:
              arguments:
                columns:
                  ChargeCategory: [Usage, Purchase, Tax, Credit, Adjustment]
                  PricingCategory: [Standard, Dynamic, Committed, Other]
-#}
{% test accepted_values_columns(model, columns) %}

with checked as (

    select {{ columns.keys() | join(", ") }}
    from {{ model }}

)

{% for column, values in columns.items() -%}
select
    '{{ column }}' as column_name,
    cast({{ column }} as {{ dbt.type_string() }}) as value_field,
    count(*) as n_records
from checked
where {{ column }} not in (
    {%- for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
)
group by {{ column }}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
