{#- forecast_scope_key(): the key of a provider x sub account x service category scope of
    fct_cost_forecast, from the row's ProviderName, SubAccountId and ServiceCategory. The daily
    series and the commitment deltas are joined to their scope on it. -#}
{% macro forecast_scope_key() -%}
    ProviderName
    || ' | ' || coalesce(SubAccountId, '-')
    || ' | ' || coalesce(ServiceCategory, '-')
{%- endmacro %}

{#- forecast_cost_parts(cost): a charge's cost as the forecast splits it, three columns. Usage
    follows a daily run rate; purchases (fees) and tax come back every month; credits and
    adjustments are one-offs, in Cost only. By the row's ChargeCategory, so the charges and the
    allocation ledger split alike. -#}
{% macro forecast_cost_parts(cost) -%}
    {{ cost }} as Cost,
    case when ChargeCategory = 'Usage' then {{ cost }} else 0 end as UsageCost,
    case when ChargeCategory in ('Purchase', 'Tax') then {{ cost }} else 0 end as RecurringCost
{%- endmacro %}
