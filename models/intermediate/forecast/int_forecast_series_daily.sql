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
        cast(ChargePeriodStart as date) as ChargeDay,
        {{ forecast_cost_parts('EffectiveCost') }}
    from {{ ref('fct_cost_and_usage') }}
    where {{ in_billing_periods('x_BillingPeriod') }}

)

select
    BillingPeriodStart,
    {{ forecast_scope_key() }} as ScopeKey,
    ProviderName,
    SubAccountId,
    ServiceCategory,
    BillingCurrency,
    ChargeDay,
    sum(Cost) as Cost,
    sum(UsageCost) as UsageCost,
    sum(RecurringCost) as RecurringCost
from charges
group by
    BillingPeriodStart,
    ProviderName,
    SubAccountId,
    ServiceCategory,
    BillingCurrency,
    ChargeDay
