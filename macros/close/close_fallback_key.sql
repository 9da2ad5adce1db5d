{#-
    close_fallback_key(account, period, currency): the reconciliation key of charges that carry
    no invoice id, billing account x billing month x currency, e.g.
    `012345678901|2024-03-01|USD`.
-#}
{% macro close_fallback_key(account, period, currency) -%}
    {{ account }} || '|' || cast({{ period }} as {{ dbt.type_string() }}) || '|' || {{ currency }}
{%- endmacro %}
