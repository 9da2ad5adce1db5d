"""FOCUS files from any provider (1.0 to 1.3) and FOCUS 1.4 invoice detail."""

from __future__ import annotations

from .base import (
    MONEY,
    Detection,
    ExportFormat,
    month_sql,
    parse_timestamp_sql,
    quote,
    text_columns,
)

# --- FOCUS 1.0 to 1.3 ---------------------------------------------------------------------------

FOCUS_CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
FOCUS_SERVICE_CATEGORIES = (
    "AI and Machine Learning",
    "Analytics",
    "Business Applications",
    "Compute",
    "Databases",
    "Developer Tools",
    "Multicloud",
    "Identity",
    "Integration",
    "Internet of Things",
    "Management and Governance",
    "Media",
    "Migration",
    "Mobile",
    "Networking",
    "Security",
    "Storage",
    "Web",
    "Other",
)
FOCUS_OLD_NAMES = {
    # FOCUS 0.5 / 1.0-preview spellings of columns 1.0 renamed. 1.0-preview's UsageQuantity
    # and UsageUnit are declared columns of their own (staging coalesces them).
    "amortizedcost": "EffectiveCost",
    "billedcurrency": "BillingCurrency",
    "chargetype": "ChargeCategory",
    "invoiceissuer": "InvoiceIssuerName",
    "provider": "ProviderName",
    "publisher": "PublisherName",
    "region": "RegionName",
}

_FOCUS_COLUMNS = text_columns(
    # FOCUS 1.2 Cost and Usage (the FOCUS 1.2 specification), in the spec's order.
    """
    AvailabilityZone BilledCost BillingAccountId BillingAccountName BillingAccountType
    BillingCurrency BillingPeriodEnd BillingPeriodStart CapacityReservationId
    CapacityReservationStatus ChargeCategory ChargeClass ChargeDescription ChargeFrequency
    ChargePeriodEnd ChargePeriodStart CommitmentDiscountCategory CommitmentDiscountId
    CommitmentDiscountName CommitmentDiscountQuantity CommitmentDiscountStatus
    CommitmentDiscountType CommitmentDiscountUnit ConsumedQuantity ConsumedUnit ContractedCost
    ContractedUnitPrice EffectiveCost InvoiceId InvoiceIssuerName ListCost ListUnitPrice
    PricingCategory PricingCurrency PricingCurrencyContractedUnitPrice
    PricingCurrencyEffectiveCost PricingCurrencyListUnitPrice PricingQuantity PricingUnit
    ProviderName PublisherName RegionId RegionName ResourceId ResourceName ResourceType
    ServiceCategory ServiceName ServiceSubcategory SkuId SkuMeter SkuPriceDetails SkuPriceId
    SubAccountId SubAccountName SubAccountType Tags
    """
    # FOCUS 1.3 additions; 1.0-preview names still seen in older exports.
    """
    ServiceProviderName HostProviderName AllocatedMethodId AllocatedMethodDetails
    AllocatedResourceId AllocatedResourceName AllocatedTags ContractApplied
    ChargeSubcategory UsageQuantity UsageUnit
    """
    # Provider x_ columns: AWS FOCUS 1.0/1.2, Microsoft FocusCost 1.0 to 1.2.
    """
    x_Discounts x_Operation x_ServiceCode x_UsageType x_CostCategories
    x_AccountId x_AccountName x_AccountOwnerId x_AmortizationClass x_BilledCostInUsd
    x_BilledUnitPrice x_BillingAccountId x_BillingAccountName x_BillingExchangeRate
    x_BillingExchangeRateDate x_BillingProfileId x_BillingProfileName x_ContractedCostInUsd
    x_CostAllocationRuleName x_CostCenter x_CustomerId x_CustomerName x_EffectiveCostInUsd
    x_EffectiveUnitPrice x_InvoiceIssuerId x_InvoiceSectionId x_InvoiceSectionName
    x_ListCostInUsd x_PartnerCreditApplied x_PartnerCreditRate x_PricingBlockSize
    x_PricingSubcategory x_PricingUnitDescription x_PublisherCategory x_PublisherId
    x_ResellerId x_ResellerName x_ResourceGroupName x_ResourceType x_ServiceModel
    x_ServicePeriodEnd x_ServicePeriodStart x_SkuDescription x_SkuIsCreditEligible
    x_SkuMeterCategory x_SkuMeterId x_SkuMeterSubcategory x_SkuOfferId x_SkuOrderId
    x_SkuOrderName x_SkuPartNumber x_SkuPlanName x_SkuRegion x_SkuServiceFamily x_SkuTerm
    x_SkuTier x_SkuDetails x_InvoiceId x_PricingCurrency x_SkuMeterName x_ChargeId
    """
)

FOCUS = ExportFormat(
    key="focus",
    description="FOCUS 1.0 to 1.3 Cost and Usage files from any provider",
    file_types=("csv", "csv.gz", "parquet"),
    detect=Detection(all_of=("BilledCost", "ChargePeriodStart", "BillingAccountId")),
    columns=_FOCUS_COLUMNS,
    required=(
        "BilledCost",
        "EffectiveCost",
        "BillingAccountId",
        "BillingCurrency",
        "BillingPeriodStart",
        "ChargePeriodStart",
        "ChargeCategory",
    ),
    billing_account_sql=quote("BillingAccountId"),
    billing_period_sql=month_sql(parse_timestamp_sql(quote("BillingPeriodStart"))),
    cost_sql=f"CAST({quote('BilledCost')} AS {MONEY})",
    currency_sql=quote("BillingCurrency"),
    # FOCUS 1.3 deprecates ProviderName for ServiceProviderName; files of either version load.
    provider_sql=f"coalesce({quote('ProviderName')}, {quote('ServiceProviderName')})",
    aliases=FOCUS_OLD_NAMES,
    numeric_columns=(
        "BilledCost",
        "EffectiveCost",
        "ListCost",
        "ContractedCost",
        "ListUnitPrice",
        "ContractedUnitPrice",
        "PricingQuantity",
        "ConsumedQuantity",
        "CommitmentDiscountQuantity",
    ),
    timestamp_columns=(
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
    ),
    id_columns=("BillingAccountId", "ChargeCategory", "BillingCurrency"),
    enumerations={
        "ChargeCategory": FOCUS_CHARGE_CATEGORIES,
        "ChargeClass": ("Correction",),
        "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
        "PricingCategory": ("Standard", "Dynamic", "Committed", "Other"),
        "CommitmentDiscountStatus": ("Used", "Unused"),
        "CommitmentDiscountCategory": ("Spend", "Usage"),
        "CapacityReservationStatus": ("Used", "Unused"),
        "ServiceCategory": FOCUS_SERVICE_CATEGORIES,
    },
)

# --- FOCUS 1.4 Invoice Detail -------------------------------------------------------------------

FOCUS_INVOICE_DETAIL = ExportFormat(
    key="focus_invoice_detail",
    description="FOCUS 1.4 InvoiceDetail files",
    file_types=("csv", "csv.gz", "parquet"),
    detect=Detection(all_of=("InvoiceDetailId", "InvoiceIssueStatus", "BilledCost", "InvoiceId")),
    # The InvoiceDetail dataset of the FOCUS 1.4 working draft, in its order.
    columns=text_columns(
        """
        BilledCost BillingAccountId BillingCurrency ChargeCategory BillingPeriodEnd
        BillingPeriodStart InvoiceDetailCreated InvoiceDetailDescription InvoiceDetailGrain
        InvoiceDetailId InvoiceDetailLastUpdated InvoiceId InvoiceIssueDate InvoiceIssueStatus
        InvoiceIssuerName PaymentCurrency PaymentCurrencyBilledCost
        PaymentCurrencyInvoiceDetailId PaymentDueDate PaymentTerms PurchaseOrderNumber
        ReferenceInvoiceId
        """
    ),
    required=(
        "BilledCost",
        "BillingAccountId",
        "BillingCurrency",
        "BillingPeriodStart",
        "ChargeCategory",
        "InvoiceDetailId",
        "InvoiceId",
        "InvoiceIssueStatus",
        "InvoiceIssuerName",
    ),
    billing_account_sql=quote("BillingAccountId"),
    billing_period_sql=month_sql(parse_timestamp_sql(quote("BillingPeriodStart"))),
    # A Voided invoice is no financial obligation (FOCUS 1.4) and is usually the duplicate of
    # its reissue: counting it would show the delivery at twice what the account owes.
    cost_sql=(
        f"CASE WHEN {quote('InvoiceIssueStatus')} = 'Voided' THEN 0 "
        f"ELSE CAST({quote('BilledCost')} AS {MONEY}) END"
    ),
    currency_sql=quote("BillingCurrency"),
    numeric_columns=("BilledCost", "PaymentCurrencyBilledCost"),
    timestamp_columns=(
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "InvoiceDetailCreated",
        "InvoiceDetailLastUpdated",
        "InvoiceIssueDate",
        "PaymentDueDate",
    ),
    id_columns=(
        "BillingAccountId",
        "BillingCurrency",
        "ChargeCategory",
        "InvoiceDetailId",
        "InvoiceId",
        "InvoiceIssueStatus",
        "InvoiceIssuerName",
    ),
    enumerations={
        "InvoiceIssueStatus": ("Open", "Issued", "Voided"),
        "ChargeCategory": FOCUS_CHARGE_CATEGORIES,
    },
)
