-- Cost and quantity per billing month and item, the unit fct_cost_variance_monthly splits a
-- change by: provider, service, currency, charge category, SKU price (else SKU, else the
-- charge description), pricing unit and region. A month's items read only that month's rows,
-- so the model is incremental by billing month (docs/dbt.md) and the mart compares these few
-- rows instead of summing every row of history.
{{ config(**billing_period_incremental('BillingMonth')) }}

with charges as (

    select
        x_BillingPeriod as BillingMonth,
        ProviderName,
        ServiceName,
        BillingCurrency,
        ChargeCategory,
        coalesce(SkuPriceId, SkuId, ChargeDescription, '-') as ItemKey,
        coalesce(PricingUnit, '-') as PricingUnit,
        coalesce(RegionId, '-') as RegionId,
        EffectiveCost,
        PricingQuantity
    from {{ ref('fct_cost_and_usage') }}
    where {{ in_billing_periods('x_BillingPeriod') }}

)

select
    BillingMonth,
    ProviderName,
    coalesce(ServiceName, '-') as ServiceName,
    BillingCurrency,
    ChargeCategory,
    ItemKey,
    PricingUnit,
    RegionId,
    sum(EffectiveCost) as Cost,
    sum(PricingQuantity) as Quantity
from charges
group by
    BillingMonth,
    ProviderName,
    coalesce(ServiceName, '-'),
    BillingCurrency,
    ChargeCategory,
    ItemKey,
    PricingUnit,
    RegionId
