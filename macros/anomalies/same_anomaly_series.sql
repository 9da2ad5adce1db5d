{#- The rows of an anomaly's series: same provider, billing account, sub account, service and
    billing currency as the anomaly `anomaly` (a NULL sub account or service matches NULL). -#}
{% macro same_anomaly_series(anomaly, rows) -%}
    {{ anomaly }}.ProviderName = {{ rows }}.ProviderName
    and {{ anomaly }}.BillingAccountId = {{ rows }}.BillingAccountId
    and coalesce({{ anomaly }}.SubAccountId, '') = coalesce({{ rows }}.SubAccountId, '')
    and coalesce({{ anomaly }}.ServiceName, '') = coalesce({{ rows }}.ServiceName, '')
    and {{ anomaly }}.BillingCurrency = {{ rows }}.BillingCurrency
{%- endmacro %}
