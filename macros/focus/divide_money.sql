{#-
    divide_money(numerator, denominator): numerator / denominator as an exact decimal with
    10 decimals (truncated), NULL when the denominator is 0 or NULL. Used to derive a unit
    price from a cost and a quantity where the provider gives none (an unused commitment
    row, a fee without a rate).

    DuckDB divides DECIMAL by DECIMAL in DOUBLE; money never goes through floating point
    here, so the quotient is computed in HUGEINT units of 1e-10 instead (exact while
    |numerator| < 1.7e18). BigQuery divides BIGNUMERIC, rounded to the same 10 decimals.
-#}
{% macro divide_money(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide_money', 'finops')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_money(numerator, denominator) -%}
    {{ unsupported_adapter('divide_money') }}
{%- endmacro %}

{% macro duckdb__divide_money(numerator, denominator) -%}
    case
        when {{ denominator }} != 0 then
            cast(
                cast({{ numerator }} * 10000000000 as hugeint) * 10000000000
                // cast({{ denominator }} * 10000000000 as hugeint)
                as decimal(38, 0)
            ) * cast(0.0000000001 as decimal(11, 10))
    end
{%- endmacro %}

{% macro bigquery__divide_money(numerator, denominator) -%}
    round(safe_divide(cast({{ numerator }} as bignumeric), nullif({{ denominator }}, 0)), 10, 'ROUND_HALF_EVEN')
{%- endmacro %}
