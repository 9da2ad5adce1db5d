-- Usage cost per billing month, series and charge day: int_cost_anomaly_usage summed by day.
-- A day of a series can sit in two billing months (a GCP day on two invoice months), each its
-- own row here; int_cost_anomaly_days sums them again. A month's rows read only that month,
-- so the model is incremental by billing month (docs/dbt.md) and the replay reads these few
-- rows instead of every usage row of history.
{{ config(**billing_period_incremental('BillingPeriod')) }}

select
    x_BillingPeriod as BillingPeriod,
    SeriesId,
    ProviderName,
    BillingAccountId,
    SubAccountId,
    ServiceName,
    BillingCurrency,
    ChargeDate,
    sum(EffectiveCost) as Cost,
    max(BillingPeriodEnd) as BillingPeriodEnd
from {{ ref('int_cost_anomaly_usage') }}
where {{ in_billing_periods('x_BillingPeriod') }}
group by
    x_BillingPeriod,
    SeriesId,
    ProviderName,
    BillingAccountId,
    SubAccountId,
    ServiceName,
    BillingCurrency,
    ChargeDate
