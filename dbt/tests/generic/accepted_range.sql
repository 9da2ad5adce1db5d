{#-
    Fails on every row whose value lies outside [min_value, max_value] (bounds inclusive unless
    inclusive: false). NULLs pass: pair with not_null when they must not occur.

        data_tests:
          - accepted_range: {arguments: {min_value: 0, max_value: 1}}
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ outside_range(column_name, min_value, max_value, inclusive) }}
{% endtest %}
