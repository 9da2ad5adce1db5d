"""Azure cost details (EA and MCA, actual and amortized) and its reservation list."""

from __future__ import annotations

from .base import (
    INVENTORY_FILE,
    MONEY,
    Column,
    Detection,
    ExportFormat,
    month_sql,
    parse_timestamp_sql,
    quote,
    text_columns,
)

# --- Azure cost details (EA and MCA, actual and amortized) ------------------------------------

# Union of EA 2024-08-01, the EA "C360" variant, MCA 2023-12-01-preview and the legacy
# usage-details names; each case-insensitive name once (EA BillingAccountId = MCA billingAccountId).
_AZURE_COLUMNS = text_columns(
    """
    InvoiceSectionName AccountName AccountOwnerId SubscriptionId SubscriptionName ResourceGroup
    ResourceLocation Date ProductName MeterCategory MeterSubCategory MeterId MeterName
    MeterRegion UnitOfMeasure Quantity EffectivePrice CostInBillingCurrency CostCenter
    ConsumedService ResourceId Tags OfferId AdditionalInfo ServiceInfo1 ServiceInfo2
    ResourceName ReservationId ReservationName UnitPrice ProductOrderId ProductOrderName Term
    PublisherType PublisherName ChargeType Frequency PricingModel AvailabilityZone
    BillingAccountId BillingAccountName BillingCurrencyCode BillingPeriodStartDate
    BillingPeriodEndDate BillingProfileId BillingProfileName InvoiceSectionId
    IsAzureCreditEligible PartNumber PayGPrice PlanName ServiceFamily CostAllocationRuleName
    benefitId benefitName AccountId ResourceLocationNormalized
    Cost BillingCurrency Product InvoiceSection
    invoiceId previousInvoiceId resellerName resellerMpnId servicePeriodEndDate
    servicePeriodStartDate ProductId publisherId resourceGroupName location pricingCurrency
    costInPricingCurrency costInUsd paygCostInBillingCurrency paygCostInUsd
    exchangeRatePricingToBilling exchangeRateDate provider
    SubscriptionGuid UsageDateTime UsageQuantity ResourceRate PreTaxCost Currency InstanceId
    ServiceName ServiceTier DepartmentName InstanceName
    """
)

_AZURE_COMMON = dict(
    file_types=("csv", "csv.gz"),
    columns=_AZURE_COLUMNS,
    required=("BillingAccountId", "BillingPeriodStartDate", "Date", "ChargeType"),
    required_any=(
        ("CostInBillingCurrency", "Cost", "PreTaxCost"),
        ("BillingCurrencyCode", "BillingCurrency", "Currency"),
    ),
    billing_account_sql=quote("BillingAccountId"),
    billing_period_sql=month_sql(parse_timestamp_sql(quote("BillingPeriodStartDate"))),
    cost_sql=(
        f"CAST(coalesce({quote('CostInBillingCurrency')}, {quote('Cost')}, "
        f"{quote('PreTaxCost')}) AS {MONEY})"
    ),
    currency_sql=(
        f"coalesce({quote('BillingCurrencyCode')}, {quote('BillingCurrency')}, {quote('Currency')})"
    ),
    provider_sql="'Microsoft'",
    numeric_columns=(
        "Quantity",
        "EffectivePrice",
        "UnitPrice",
        "PayGPrice",
        "CostInBillingCurrency",
        "Cost",
        "PreTaxCost",
        "costInPricingCurrency",
        "costInUsd",
        "paygCostInBillingCurrency",
        "exchangeRatePricingToBilling",
    ),
    timestamp_columns=("Date", "BillingPeriodStartDate", "BillingPeriodEndDate"),
    id_columns=("BillingAccountId", "ChargeType"),
    enumerations={
        "ChargeType": (
            "Usage",
            "Purchase",
            "Refund",
            "UnusedReservation",
            "UnusedSavingsPlan",
            "RoundingAdjustment",
            "Tax",
            "Credit",
        ),
        "PricingModel": ("OnDemand", "On Demand", "Reservation", "Spot", "SavingsPlan", ""),
        "Frequency": ("OneTime", "Recurring", "UsageBased"),
    },
)

_AZURE_DETECT = dict(
    all_of=("MeterCategory", "BillingPeriodStartDate"),
    any_of=("CostInBillingCurrency", "Cost", "PreTaxCost"),
)

AZURE_ACTUAL = ExportFormat(
    key="azure_actual",
    description="Azure cost details, actual cost (EA or MCA columns)",
    detect=Detection(**_AZURE_DETECT, path_tokens=("actual",)),
    dataset="actual",
    **_AZURE_COMMON,
)

AZURE_AMORTIZED = ExportFormat(
    key="azure_amortized",
    description="Azure cost details, amortized cost (EA or MCA columns)",
    detect=Detection(**_AZURE_DETECT, path_tokens=("amortized",)),
    dataset="amortized",
    **_AZURE_COMMON,
)


_AZURE_RESERVATION_PROPERTIES = (
    "STRUCT(displayName VARCHAR, reservedResourceType VARCHAR, instanceFlexibility VARCHAR, "
    "skuDescription VARCHAR, quantity BIGINT, term VARCHAR, billingPlan VARCHAR, "
    "appliedScopeType VARCHAR, appliedScopes VARCHAR[], appliedScopeProperties "
    "STRUCT(subscriptionId VARCHAR, resourceGroupId VARCHAR, managementGroupId VARCHAR, "
    "tenantId VARCHAR, displayName VARCHAR), archived BOOLEAN, renew BOOLEAN, "
    "renewSource VARCHAR, renewDestination VARCHAR, purchaseDate DATE, "
    "purchaseDateTime TIMESTAMP, effectiveDateTime TIMESTAMP, benefitStartTime TIMESTAMP, "
    "expiryDate DATE, expiryDateTime TIMESTAMP, lastUpdatedDateTime TIMESTAMP, "
    "provisioningState VARCHAR, displayProvisioningState VARCHAR, provisioningSubState VARCHAR, "
    "billingScopeId VARCHAR, userFriendlyAppliedScopeType VARCHAR, "
    "userFriendlyRenewState VARCHAR, extendedStatusInfo STRUCT(statusCode VARCHAR, "
    "message VARCHAR), utilization STRUCT(trend VARCHAR, aggregates STRUCT(grain "
    'DECIMAL(18,6), grainUnit VARCHAR, "value" DECIMAL(18,6), valueUnit VARCHAR)[]))'
)

AZURE_RESERVATIONS = ExportFormat(
    key="azure_reservations",
    description="Azure reservations (az reservations reservation list, Microsoft.Capacity)",
    detect=Detection(all_of=("id", "type", "sku", "properties")),
    columns=(
        Column("id"),
        Column("name"),
        Column("type"),
        Column("etag", "BIGINT"),
        Column("kind"),
        Column("location"),
        Column("sku", "STRUCT(name VARCHAR)"),
        Column("properties", _AZURE_RESERVATION_PROPERTIES),
    ),
    required=("id", "properties"),
    enumerations={"type": ("Microsoft.Capacity/reservationOrders/reservations",)},
    **INVENTORY_FILE,
)
