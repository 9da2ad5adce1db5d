{#-
    largest_remainder_round(amount, partition_by, order_by, scale=2): `amount` rounded to `scale`
    decimals (cents by default) so that the rounded rows of each partition sum to the rounded sum
    of the partition (largest-remainder, Hamilton, rounding). Every row is first rounded down;
    the cents the partition still misses go one each to the rows with the largest remainders
    (ties broken by `order_by`, which must make the order total so re-runs are identical).
    A window expression: use it in a SELECT, e.g. a chargeback statement per period and currency:

        {{ largest_remainder_round('EffectiveCost', ['BillingPeriodStart', 'BillingCurrency'],
                                   ['Owner', 'Environment']) }} as EffectiveCostRounded

    Works for negative amounts (rounded down = towards minus infinity) and on both adapters.
-#}
{% macro largest_remainder_round(amount, partition_by, order_by, scale=2) -%}
    {#- Multiplying, never dividing: DuckDB divides decimals in floating point. -#}
    {%- set factor = 10 ** scale -%}
    {%- set unit = "cast(" ~ "%.*f" | format(scale, 1 / factor) ~ " as " ~ money() ~ ")" -%}
    {%- set floored = "floor(" ~ amount ~ " * " ~ factor ~ ") * " ~ unit -%}
    {%- set partition = partition_by | join(", ") -%}
    cast(
        {{ floored }}
        + case
            when row_number() over (
                partition by {{ partition }}
                order by {{ amount }} - {{ floored }} desc, {{ order_by | join(", ") }}
            )
            <= (
                round(sum({{ amount }}) over (partition by {{ partition }}), {{ scale }})
                - sum({{ floored }}) over (partition by {{ partition }})
            ) * {{ factor }}
                then {{ unit }}
            else 0
        end
        as {{ money() }}
    )
{%- endmacro %}
