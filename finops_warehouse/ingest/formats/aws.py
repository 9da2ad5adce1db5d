"""AWS Cost and Usage Reports: the legacy CUR and CUR 2.0 (Data Exports)."""

from __future__ import annotations

from .base import (
    MONEY,
    Column,
    Detection,
    ExportFormat,
    month_sql,
    parse_timestamp_sql,
    quote,
    text_columns,
    typed_columns,
)

# --- AWS legacy CUR ---------------------------------------------------------------------------

AWS_LINE_ITEM_TYPES = (
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanUpfrontFee",
    "SavingsPlanRecurringFee",
    "Fee",
    "RIFee",
    "Credit",
    "Refund",
    "Tax",
    "BundledDiscount",
    "EdpDiscount",
    "PrivateRateDiscount",
    "Discount",
    "RiVolumeDiscount",
    "SppDiscount",
    "DistributorDiscount",
)
AWS_BILL_TYPES = ("Anniversary", "Purchase", "Refund")

_AWS_CUR_STATIC = text_columns(
    """
    identity/LineItemId identity/TimeInterval
    bill/InvoiceId bill/InvoicingEntity bill/BillingEntity bill/BillType bill/PayerAccountId
    bill/BillingPeriodStartDate bill/BillingPeriodEndDate
    lineItem/UsageAccountId lineItem/LineItemType lineItem/UsageStartDate lineItem/UsageEndDate
    lineItem/ProductCode lineItem/UsageType lineItem/Operation lineItem/ResourceId
    lineItem/AvailabilityZone lineItem/UsageAmount lineItem/NormalizationFactor
    lineItem/NormalizedUsageAmount lineItem/CurrencyCode lineItem/UnblendedRate
    lineItem/UnblendedCost lineItem/BlendedRate lineItem/BlendedCost lineItem/NetUnblendedRate
    lineItem/NetUnblendedCost lineItem/LineItemDescription lineItem/TaxType lineItem/LegalEntity
    pricing/publicOnDemandRate pricing/publicOnDemandCost pricing/term pricing/unit
    pricing/LeaseContractLength pricing/OfferingClass pricing/PurchaseOption pricing/RateCode
    pricing/RateId pricing/currency
    product/ProductName product/servicecode product/servicename product/productFamily
    product/region product/regionCode product/location product/locationType
    product/fromLocation product/toLocation product/instanceType product/instanceFamily
    product/usagetype product/operation product/sku product/vcpu product/memory
    product/operatingSystem product/tenancy product/storageClass product/volumeType
    reservation/ReservationARN reservation/EffectiveCost reservation/AmortizedUpfrontCostForUsage
    reservation/RecurringFeeForUsage reservation/AmortizedUpfrontFeeForBillingPeriod
    reservation/UnusedAmortizedUpfrontFeeForBillingPeriod reservation/UnusedRecurringFee
    reservation/UnusedQuantity reservation/UnusedNormalizedUnitQuantity reservation/UpfrontValue
    reservation/StartTime reservation/EndTime reservation/ModificationStatus
    reservation/NumberOfReservations reservation/UnitsPerReservation
    reservation/TotalReservedUnits reservation/NormalizedUnitsPerReservation
    reservation/TotalReservedNormalizedUnits reservation/SubscriptionId
    reservation/AvailabilityZone reservation/NetEffectiveCost
    reservation/NetAmortizedUpfrontCostForUsage reservation/NetAmortizedUpfrontFeeForBillingPeriod
    reservation/NetRecurringFeeForUsage reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod
    reservation/NetUnusedRecurringFee reservation/NetUpfrontValue
    savingsPlan/SavingsPlanARN savingsPlan/SavingsPlanEffectiveCost savingsPlan/SavingsPlanRate
    savingsPlan/TotalCommitmentToDate savingsPlan/UsedCommitment
    savingsPlan/RecurringCommitmentForBillingPeriod
    savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod savingsPlan/OfferingType
    savingsPlan/PaymentOption savingsPlan/PurchaseTerm savingsPlan/Region
    savingsPlan/InstanceTypeFamily savingsPlan/StartTime savingsPlan/EndTime
    savingsPlan/NetSavingsPlanEffectiveCost
    savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod
    savingsPlan/NetRecurringCommitmentForBillingPeriod
    discount/TotalDiscount discount/BundledDiscount
    """
)
_AWS_CUR_COLUMNS = (
    *_AWS_CUR_STATIC,
    Column("resourceTags", "JSON"),
    Column("costCategory", "JSON"),
)

AWS_CUR = ExportFormat(
    key="aws_cur",
    description="AWS legacy Cost and Usage Report (lineItem/... columns)",
    file_types=("csv", "csv.gz", "parquet"),
    # Legacy CUR Parquet uses the Athena spellings; ingestion renames them to the CSV names
    # (athena_name) before matching, so one detection rule serves both.
    detect=Detection(all_of=("lineItem/LineItemType", "bill/PayerAccountId")),
    columns=_AWS_CUR_COLUMNS,
    required=(
        "bill/PayerAccountId",
        "bill/BillingPeriodStartDate",
        "lineItem/UsageAccountId",
        "lineItem/LineItemType",
        "lineItem/UsageStartDate",
        "lineItem/UnblendedCost",
        "lineItem/CurrencyCode",
    ),
    billing_account_sql=quote("bill/PayerAccountId"),
    billing_period_sql=month_sql(parse_timestamp_sql(quote("bill/BillingPeriodStartDate"))),
    cost_sql=f"CAST({quote('lineItem/UnblendedCost')} AS {MONEY})",
    currency_sql=quote("lineItem/CurrencyCode"),
    provider_sql="'AWS'",
    numeric_columns=(
        "lineItem/UsageAmount",
        "lineItem/UnblendedRate",
        "lineItem/UnblendedCost",
        "lineItem/BlendedCost",
        "lineItem/NetUnblendedCost",
        "pricing/publicOnDemandCost",
        "reservation/EffectiveCost",
        "savingsPlan/SavingsPlanEffectiveCost",
    ),
    timestamp_columns=(
        "bill/BillingPeriodStartDate",
        "bill/BillingPeriodEndDate",
        "lineItem/UsageStartDate",
        "lineItem/UsageEndDate",
    ),
    id_columns=("bill/PayerAccountId", "lineItem/UsageAccountId", "lineItem/LineItemType"),
    enumerations={"lineItem/LineItemType": AWS_LINE_ITEM_TYPES, "bill/BillType": AWS_BILL_TYPES},
    folded_prefixes={"resourceTags/": "resourceTags", "costCategory/": "costCategory"},
)

# --- AWS CUR 2.0 ------------------------------------------------------------------------------

_CUR2_COLUMNS = typed_columns(
    """
    bill_bill_type
    bill_billing_entity
    bill_billing_period_end_date: TIMESTAMP
    bill_billing_period_start_date: TIMESTAMP
    bill_invoice_id
    bill_invoicing_entity
    bill_payer_account_id
    bill_payer_account_name
    identity_line_item_id
    identity_time_interval
    line_item_availability_zone
    line_item_blended_cost: $
    line_item_blended_rate
    line_item_currency_code
    line_item_legal_entity
    line_item_line_item_description
    line_item_line_item_type
    line_item_net_unblended_cost: $
    line_item_net_unblended_rate
    line_item_normalization_factor: $
    line_item_normalized_usage_amount: $
    line_item_operation
    line_item_product_code
    line_item_resource_id
    line_item_tax_type
    line_item_unblended_cost: $
    line_item_unblended_rate
    line_item_usage_account_id
    line_item_usage_account_name
    line_item_usage_amount: $
    line_item_usage_end_date: TIMESTAMP
    line_item_usage_start_date: TIMESTAMP
    line_item_usage_type
    line_item_iam_principal
    pricing_currency
    pricing_lease_contract_length
    pricing_offering_class
    pricing_public_on_demand_cost: $
    pricing_public_on_demand_rate
    pricing_purchase_option
    pricing_rate_code
    pricing_rate_id
    pricing_term
    pricing_unit
    product: MAP(VARCHAR, VARCHAR)
    product_comment
    product_fee_code
    product_fee_description
    product_from_location
    product_from_location_type
    product_from_region_code
    product_instance_family
    product_instance_type
    product_instancesku
    product_location
    product_location_type
    product_operation
    product_pricing_unit
    product_product_family
    product_region_code
    product_servicecode
    product_sku
    product_to_location
    product_to_location_type
    product_to_region_code
    product_usagetype
    reservation_amortized_upfront_cost_for_usage: $
    reservation_amortized_upfront_fee_for_billing_period: $
    reservation_availability_zone
    reservation_effective_cost: $
    reservation_end_time
    reservation_modification_status
    reservation_net_amortized_upfront_cost_for_usage: $
    reservation_net_amortized_upfront_fee_for_billing_period: $
    reservation_net_effective_cost: $
    reservation_net_recurring_fee_for_usage: $
    reservation_net_unused_amortized_upfront_fee_for_billing_period: $
    reservation_net_unused_recurring_fee: $
    reservation_net_upfront_value: $
    reservation_normalized_units_per_reservation: $
    reservation_number_of_reservations: $
    reservation_recurring_fee_for_usage: $
    reservation_reservation_a_r_n
    reservation_start_time
    reservation_subscription_id
    reservation_total_reserved_normalized_units: $
    reservation_total_reserved_units: $
    reservation_units_per_reservation: $
    reservation_unused_amortized_upfront_fee_for_billing_period: $
    reservation_unused_normalized_unit_quantity: $
    reservation_unused_quantity: $
    reservation_unused_recurring_fee: $
    reservation_upfront_value: $
    savings_plan_amortized_upfront_commitment_for_billing_period: $
    savings_plan_end_time
    savings_plan_instance_type_family
    savings_plan_net_amortized_upfront_commitment_for_billing_period: $
    savings_plan_net_recurring_commitment_for_billing_period: $
    savings_plan_net_savings_plan_effective_cost: $
    savings_plan_offering_type
    savings_plan_payment_option
    savings_plan_purchase_term
    savings_plan_recurring_commitment_for_billing_period: $
    savings_plan_region
    savings_plan_savings_plan_a_r_n
    savings_plan_savings_plan_effective_cost: $
    savings_plan_savings_plan_rate: $
    savings_plan_start_time
    savings_plan_total_commitment_to_date: $
    savings_plan_used_commitment: $
    split_line_item_actual_usage: $
    split_line_item_net_split_cost: $
    split_line_item_net_unused_cost: $
    split_line_item_parent_resource_id
    split_line_item_public_on_demand_split_cost: $
    split_line_item_public_on_demand_unused_cost: $
    split_line_item_reserved_usage: $
    split_line_item_split_cost: $
    split_line_item_split_usage: $
    split_line_item_split_usage_ratio: $
    split_line_item_unused_cost: $
    cost_category: MAP(VARCHAR, VARCHAR)
    discount: MAP(VARCHAR, VARCHAR)
    discount_bundled_discount: $
    discount_total_discount: $
    resource_tags: MAP(VARCHAR, VARCHAR)
    tags: MAP(VARCHAR, VARCHAR)
    """
)

AWS_CUR2 = ExportFormat(
    key="aws_cur2",
    description="AWS CUR 2.0 Data Export (line_item_... columns, map columns)",
    file_types=("parquet",),
    # Legacy CUR Parquet shares the snake_case names; CUR 2.0 is the one with map columns or
    # the account-name columns new in 2.0.
    detect=Detection(
        all_of=("line_item_line_item_type", "bill_payer_account_id"),
        any_of=(
            "product",
            "resource_tags",
            "cost_category",
            "discount",
            "tags",
            "bill_payer_account_name",
            "line_item_usage_account_name",
        ),
    ),
    columns=_CUR2_COLUMNS,
    required=(
        "bill_payer_account_id",
        "bill_billing_period_start_date",
        "line_item_usage_account_id",
        "line_item_line_item_type",
        "line_item_usage_start_date",
        "line_item_unblended_cost",
        "line_item_currency_code",
    ),
    billing_account_sql=quote("bill_payer_account_id"),
    billing_period_sql=month_sql(f"CAST({quote('bill_billing_period_start_date')} AS TIMESTAMP)"),
    cost_sql=f"CAST({quote('line_item_unblended_cost')} AS {MONEY})",
    currency_sql=quote("line_item_currency_code"),
    provider_sql="'AWS'",
    numeric_columns=("line_item_unblended_rate", "pricing_public_on_demand_rate"),
    timestamp_columns=("reservation_start_time", "savings_plan_start_time"),
    id_columns=("bill_payer_account_id", "line_item_usage_account_id", "line_item_line_item_type"),
    enumerations={
        "line_item_line_item_type": AWS_LINE_ITEM_TYPES,
        "bill_bill_type": AWS_BILL_TYPES,
    },
)
