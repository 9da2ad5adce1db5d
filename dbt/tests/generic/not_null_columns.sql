{#-
    Fails with one row per listed column that holds a NULL, with the number of such rows. One
    scan of the model for all its columns: a staging or intermediate view is computed again for
    every test run on it, so one test per column cost one full computation per column.

        data_tests:
          - not_null_columns: {arguments: {columns: [BillingAccountId, BillingPeriodStart]}}
-#}
{% test not_null_columns(model, columns) %}

with null_counts as (

    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for column in columns -%}
select
    '{{ column }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
