-- One row per billing month, provider x sub account x service category, currency and charge
-- day: the amortized cost the forecast runs on, summed from fct_cost_and_usage. The forecast
-- reads these few rows a day instead of every charge of history; a day billed in two months
-- (a GCP invoice month) has two rows, which the forecast adds. Incremental by billing month:
-- a month's sums read only its own charges (docs/dbt.md, "Incremental builds").
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charges as (

    select
        x_BillingPeriod as BillingPeriodStart,
        ProviderName,
        SubAccountId,
        ServiceCategory,
        BillingCurrency,
        ChargeCategory,
        cast(ChargePeriodStart as date) as ChargeDay,
        EffectiveCost
    from {{ ref('fct_cost_and_usage') }}
    where {{ in_billing_periods('x_BillingPeriod') }}

)

-- Usage follows a daily run rate; purchases (fees) and tax come back every month; credits and
-- adjustments are one-offs (docs/forecasts.md).
select
    BillingPeriodStart,
    ProviderName
    || ' | ' || coalesce(SubAccountId, '-')
    || ' | ' || coalesce(ServiceCategory, '-') as ScopeKey,
    ProviderName,
    SubAccountId,
    ServiceCategory,
    BillingCurrency,
    ChargeDay,
    sum(EffectiveCost) as Cost,
    sum(case when ChargeCategory = 'Usage' then EffectiveCost else 0 end) as UsageCost,
    sum(
        case when ChargeCategory in ('Purchase', 'Tax') then EffectiveCost else 0 end
    ) as RecurringCost
from charges
group by
    BillingPeriodStart,
    ProviderName,
    SubAccountId,
    ServiceCategory,
    BillingCurrency,
    ChargeDay
