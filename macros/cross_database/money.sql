{#-
    The type of every amount of money (costs, unit prices, credits): an exact decimal, never a
    float. Use as `cast(x as {{ money() }})`.

    DuckDB: decimal(38, 10) is the widest DuckDB decimal (28 integer digits, 10 decimals).

    BigQuery: BIGNUMERIC, not NUMERIC. NUMERIC has a fixed scale of 9 decimals, fewer than
    DuckDB's 10 and fewer than the 12 decimals Azure unit prices carry (0.006000000468), so
    ListCost = ListUnitPrice x PricingQuantity would drift on BigQuery. BIGNUMERIC (scale 38)
    keeps every digit DuckDB keeps; it takes 32 bytes instead of 16, which is negligible at
    billing volumes. The unparameterized type is used so the same SQL works in CAST,
    column definitions and contracts.
-#}
{% macro money() -%}
    {{ return(adapter.dispatch('money', 'finops')()) }}
{%- endmacro %}

{% macro default__money() -%}
    {{ unsupported_adapter('money') }}
{%- endmacro %}

{% macro duckdb__money() -%}
    decimal(38, 10)
{%- endmacro %}

{% macro bigquery__money() -%}
    bignumeric
{%- endmacro %}
