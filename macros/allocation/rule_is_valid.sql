{#-
    rule_is_valid(rule, day): the effective-dating condition of an allocation rule row (alias
    `rule`) for a charge day: valid_from inclusive, valid_to exclusive, an empty valid_to open.
    Every allocation seed carries valid_from / valid_to (docs/allocation.md).
-#}
{% macro rule_is_valid(rule, day) -%}
    {{ day }} >= {{ rule }}.valid_from
    and ({{ rule }}.valid_to is null or {{ day }} < {{ rule }}.valid_to)
{%- endmacro %}
