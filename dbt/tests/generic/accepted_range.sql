{#-
    Fails on every row whose value lies outside [min_value, max_value] (bounds inclusive unless
    inclusive: false). NULLs pass: pair with not_null when they must not occur.

        data_tests:
          - accepted_range: {arguments: {min_value: 0, max_value: 1}}
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "accepted_range on " ~ column_name ~ ": give min_value, max_value or both"
        ) }}
    {%- endif -%}
    {%- set lower = ">=" if inclusive else ">" -%}
    {%- set upper = "<=" if inclusive else "<" -%}

select {{ column_name }} as out_of_range_value
from {{ model }}
where
    {{ column_name }} is not null
    and not (
        {%- if min_value is not none %}
        {{ column_name }} {{ lower }} {{ min_value }}
        {%- endif %}
        {%- if min_value is not none and max_value is not none %}
        and
        {%- endif %}
        {%- if max_value is not none %}
        {{ column_name }} {{ upper }} {{ max_value }}
        {%- endif %}
    )
{% endtest %}
