-- The FOCUS 1.2 Cost and Usage dataset of every loaded export: one row per charge, FOCUS
-- columns under their spec names, 1.3 columns as nullable extras, x_ columns for provenance.
-- The rules per format are in models/intermediate/focus (docs/focus-mapping.md); this mart
-- fixes the public contract. Incremental by billing month (docs/dbt.md); on BigQuery
-- partitioned by billing month, clustered by billing account and service.
{{ config(
    cluster_by=(['BillingAccountId', 'ServiceName'] if target.type == 'bigquery' else none),
    **billing_period_incremental('x_BillingPeriod')
) }}

with unioned as (

    select * from {{ ref('int_cost_and_usage_unioned') }}

)

select
    -- FOCUS 1.2 Cost and Usage columns
    AvailabilityZone,
    BilledCost,
    BillingAccountId,
    BillingAccountName,
    BillingAccountType,
    BillingCurrency,
    BillingPeriodEnd,
    BillingPeriodStart,
    CapacityReservationId,
    CapacityReservationStatus,
    ChargeCategory,
    ChargeClass,
    ChargeDescription,
    ChargeFrequency,
    ChargePeriodEnd,
    ChargePeriodStart,
    CommitmentDiscountCategory,
    CommitmentDiscountId,
    CommitmentDiscountName,
    CommitmentDiscountQuantity,
    CommitmentDiscountStatus,
    CommitmentDiscountType,
    CommitmentDiscountUnit,
    ConsumedQuantity,
    ConsumedUnit,
    ContractedCost,
    ContractedUnitPrice,
    EffectiveCost,
    InvoiceId,
    InvoiceIssuerName,
    ListCost,
    ListUnitPrice,
    PricingCategory,
    PricingCurrency,
    PricingCurrencyContractedUnitPrice,
    PricingCurrencyEffectiveCost,
    PricingCurrencyListUnitPrice,
    PricingQuantity,
    PricingUnit,
    ProviderName,
    PublisherName,
    RegionId,
    RegionName,
    ResourceId,
    ResourceName,
    ResourceType,
    ServiceCategory,
    ServiceName,
    ServiceSubcategory,
    SkuId,
    SkuMeter,
    SkuPriceDetails,
    SkuPriceId,
    SubAccountId,
    SubAccountName,
    SubAccountType,
    Tags,
    -- FOCUS 1.3 columns, nullable extras
    ServiceProviderName,
    HostProviderName,
    AllocatedMethodId,
    AllocatedMethodDetails,
    AllocatedResourceId,
    AllocatedResourceName,
    AllocatedTags,
    ContractApplied,
    -- x_ columns: provenance and provider ids
    x_SourceFormat,
    x_SourceFile,
    x_ManifestId,
    x_SourceRowNumber,
    x_RowId,
    x_BillingPeriod,
    x_AmortizationClass,
    x_SourceChargeType,
    x_ServiceCode,
    x_UsageType,
    x_Operation,
    x_LineItemId,
    x_ResourceGroupName,
    x_BillingProfileId,
    x_CostCategories,
    x_Credits,
    x_NormalizedUsageAmount
from unioned
where {{ in_billing_periods('x_BillingPeriod') }}
