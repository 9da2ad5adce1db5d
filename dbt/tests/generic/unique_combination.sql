{#-
    Fails once per combination of `columns` that occurs on more than one row: the grain test.
    Rows where any of the columns is NULL count as a combination too (NULLs group together), so a
    grain with a nullable column is still checked.

        data_tests:
          - unique_combination: {arguments: {columns: [CommitmentDiscountId, ChargeDate]}}
-#}
{% test unique_combination(model, columns) %}
    {%- if columns is string or columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("unique_combination: columns must be a non-empty list") }}
    {%- endif %}

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    count(*) as n_rows
from {{ model }}
group by
    {%- for column in columns %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
having count(*) > 1
{% endtest %}
