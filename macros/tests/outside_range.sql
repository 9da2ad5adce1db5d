{#-
    The condition that a value of `column` lies outside [min_value, max_value] (bounds inclusive
    unless inclusive is false; NULL is never outside), for the accepted_range tests. At least one
    bound must be given.
-#}
{% macro outside_range(column, min_value=none, max_value=none, inclusive=true) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "accepted_range on " ~ column ~ ": give min_value, max_value or both"
        ) }}
    {%- endif -%}
    {%- set lower = ">=" if inclusive else ">" -%}
    {%- set upper = "<=" if inclusive else "<" -%}
    {%- set within = [] -%}
    {%- if min_value is not none -%}
        {%- do within.append(column ~ " " ~ lower ~ " " ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do within.append(column ~ " " ~ upper ~ " " ~ max_value) -%}
    {%- endif -%}
    {{ column }} is not null and not ({{ within | join(" and ") }})
{%- endmacro %}
