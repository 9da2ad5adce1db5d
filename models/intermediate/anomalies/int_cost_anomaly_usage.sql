-- The usage rows anomaly detection reads, each with its series and charge day: the one place
-- that decides what counts as usage.
select
    concat(
        coalesce(ProviderName, ''), '|',
        coalesce(BillingAccountId, ''), '|',
        coalesce(SubAccountId, ''), '|',
        coalesce(ServiceName, ''), '|',
        BillingCurrency
    ) as SeriesId,
    ProviderName,
    BillingAccountId,
    SubAccountId,
    ServiceName,
    BillingCurrency,
    cast(ChargePeriodStart as date) as ChargeDate,
    cast(BillingPeriodEnd as date) as BillingPeriodEnd,
    x_BillingPeriod,
    RegionId,
    coalesce(SkuId, x_UsageType) as SkuId,
    ResourceId,
    PricingQuantity,
    CommitmentDiscountStatus,
    EffectiveCost
from {{ ref('fct_cost_and_usage') }}
-- Only usage: purchases, taxes, credits, adjustments and corrections are known events, not
-- consumption. Unused commitment rows are the commitment's waste (the utilization marts), and
-- AWS bills a month of it on one row dated the 1st.
where
    ChargeCategory = 'Usage'
    and coalesce(ChargeClass, '') != 'Correction'
    and coalesce(CommitmentDiscountStatus, '') != 'Unused'
