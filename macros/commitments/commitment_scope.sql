{#-
    Shared definitions of the commitment marts (docs/commitments.md).

    is_commitment_eligible_usage(): the usage a reservation, savings plan or resource CUD can
    cover: virtual-machine hours at on-demand or committed prices. Spot (Dynamic), Unused
    commitment rows and corrections are not eligible usage.
-#}
{% macro is_commitment_eligible_usage() -%}
    ChargeCategory = 'Usage'
    and ChargeClass is null
    and ResourceType = 'Virtual Machine'
    and PricingUnit = 'Hours'
    and PricingCategory in ('Standard', 'Committed')
    and coalesce(CommitmentDiscountStatus, 'Used') = 'Used'
{%- endmacro %}

{#-
    instance_family(): the instance family where the export names it: AWS usage types
    `[REGION-]BoxUsage:m5.xlarge` -> m5, GCP SKUs `N2 Instance Core running in ...` -> n2;
    NULL elsewhere (Azure meters name a size, not a flexibility group).
-#}
{% macro instance_family() -%}
    case
        when x_UsageType like '%Usage:%.%'
            then {{ dbt.split_part(dbt.split_part('x_UsageType', "':'", 2), "'.'", 1) }}
        when ProviderName = 'Google Cloud' and SkuMeter like '% Instance %'
            then lower({{ dbt.split_part('SkuMeter', "' '", 1) }})
    end
{%- endmacro %}

{#- ratio(): the type of a share in [0, 1] such as utilization or coverage (6 decimals). -#}
{% macro ratio() -%}
    {{ return(adapter.dispatch('ratio', 'finops')()) }}
{%- endmacro %}

{% macro default__ratio() -%}
    {{ unsupported_adapter('ratio') }}
{%- endmacro %}

{% macro duckdb__ratio() -%}
    decimal(18, 6)
{%- endmacro %}

{% macro bigquery__ratio() -%}
    numeric
{%- endmacro %}

{#- share(numerator, denominator): numerator / denominator rounded to 6 decimals, exact
    decimal arithmetic (divide_money); NULL when the denominator is 0. -#}
{% macro share(numerator, denominator) -%}
    cast(round({{ divide_money('(' ~ numerator ~ ')', '(' ~ denominator ~ ')') }}, 6) as {{ ratio() }})
{%- endmacro %}

{#- day_offsets(n): the integers 0 .. n-1 as column DayOffset, portable (no generate_series). -#}
{% macro day_offsets(n) -%}
    {%- for i in range(n) %}
    select {{ i }} as DayOffset{{ " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- hours_between(start, end): whole hours from start to end (timestamps). -#}
{% macro hours_between(start, end) -%}
    {{ return(adapter.dispatch('hours_between', 'finops')(start, end)) }}
{%- endmacro %}

{% macro default__hours_between(start, end) -%}
    {{ unsupported_adapter('hours_between') }}
{%- endmacro %}

{% macro duckdb__hours_between(start, end) -%}
    date_diff('hour', {{ start }}, {{ end }})
{%- endmacro %}

{% macro bigquery__hours_between(start, end) -%}
    timestamp_diff({{ end }}, {{ start }}, hour)
{%- endmacro %}

{#- days_between(start, end): days from date start to date end. -#}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between', 'finops')(start, end)) }}
{%- endmacro %}

{% macro default__days_between(start, end) -%}
    {{ unsupported_adapter('days_between') }}
{%- endmacro %}

{% macro duckdb__days_between(start, end) -%}
    date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}

{% macro bigquery__days_between(start, end) -%}
    date_diff({{ end }}, {{ start }}, day)
{%- endmacro %}

{#- add_days(timestamp, days): the timestamp moved by a whole number of days. -#}
{% macro add_days(ts, days) -%}
    {{ return(adapter.dispatch('add_days', 'finops')(ts, days)) }}
{%- endmacro %}

{% macro default__add_days(ts, days) -%}
    {{ unsupported_adapter('add_days') }}
{%- endmacro %}

{% macro duckdb__add_days(ts, days) -%}
    ({{ ts }} + to_days(cast({{ days }} as integer)))
{%- endmacro %}

{% macro bigquery__add_days(ts, days) -%}
    timestamp_add({{ ts }}, interval {{ days }} day)
{%- endmacro %}
