{#-
    The reporting (group) currency and the rate policy (docs/currency.md). Set with the dbt vars
    `reporting_currency` / `exchange_rate_policy` or the env vars FINOPS_REPORTING_CURRENCY /
    FINOPS_EXCHANGE_RATE_POLICY; defaults USD and average.
-#}
{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency', env_var('FINOPS_REPORTING_CURRENCY', 'USD')) | trim | upper -%}
    {%- if not modules.re.fullmatch('[A-Z]{3}', code) -%}
        {{ exceptions.raise_compiler_error("reporting currency " ~ code ~ " is not an ISO 4217 code") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro exchange_rate_policy() -%}
    {%- set policy = var('exchange_rate_policy', env_var('FINOPS_EXCHANGE_RATE_POLICY', 'average')) | trim | lower -%}
    {%- if policy not in ('average', 'closing') -%}
        {{ exceptions.raise_compiler_error("exchange rate policy " ~ policy ~ " is not one of: average, closing") }}
    {%- endif -%}
    {{ return(policy) }}
{%- endmacro %}

{#-
    reporting_rate(rate, currency, month): the rate from `currency` to the reporting currency
    in `month`: 1 for the reporting currency itself, else `rate` (a left join on
    int_exchange_rates_to_reporting). A missing rate stops the build with an error naming the
    month and the pair: an amount is never converted at a guessed 1:1 nor left out.
-#}
{% macro reporting_rate(rate, currency, month) -%}
    case
        when {{ currency }} = '{{ reporting_currency() }}' then cast(1 as {{ money() }})
        when {{ rate }} is not null then {{ rate }}
        else error(concat(
            'no exchange rate for billing month ',
            substr(cast({{ month }} as {{ dbt.type_string() }}), 1, 7),
            ': ', {{ currency }}, ' -> {{ reporting_currency() }} (policy {{ exchange_rate_policy() }});',
            ' land a rates file for that month (docs/currency.md)'
        ))
    end
{%- endmacro %}
