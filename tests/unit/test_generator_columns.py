"""Every generated export has the provider's documented column names, types and values.

The expected names below are copied from the providers' documentation (AWS CUR user guide,
Microsoft's cost details schemas, Google's billing export schema) and the FOCUS 1.2 column
list, not from the generator's own constants.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def names(text: str) -> list[str]:
    return text.split()


# --- AWS legacy CUR (reference 1.3), byte-exact capitalisation --------------------------------
LEGACY_DOCUMENTED = names("""
identity/LineItemId identity/TimeInterval
bill/InvoiceId bill/InvoicingEntity bill/BillingEntity bill/BillType bill/PayerAccountId
bill/BillingPeriodStartDate bill/BillingPeriodEndDate
lineItem/UsageAccountId lineItem/LineItemType lineItem/UsageStartDate lineItem/UsageEndDate
lineItem/ProductCode lineItem/UsageType lineItem/Operation lineItem/ResourceId
lineItem/AvailabilityZone lineItem/UsageAmount lineItem/NormalizationFactor
lineItem/NormalizedUsageAmount lineItem/UnblendedRate lineItem/UnblendedCost
lineItem/CurrencyCode lineItem/BlendedRate lineItem/BlendedCost lineItem/LineItemDescription
lineItem/TaxType lineItem/LegalEntity
pricing/publicOnDemandRate pricing/publicOnDemandCost pricing/term pricing/unit
pricing/LeaseContractLength pricing/OfferingClass pricing/PurchaseOption pricing/RateCode
pricing/RateId pricing/currency
product/ProductName product/region product/location product/instanceType
product/productFamily product/servicecode product/sku
reservation/ReservationARN reservation/EffectiveCost reservation/AmortizedUpfrontCostForUsage
reservation/RecurringFeeForUsage reservation/AmortizedUpfrontFeeForBillingPeriod
reservation/UnusedAmortizedUpfrontFeeForBillingPeriod reservation/UnusedRecurringFee
reservation/UnusedQuantity reservation/UnusedNormalizedUnitQuantity reservation/UpfrontValue
reservation/StartTime reservation/EndTime reservation/ModificationStatus
reservation/NumberOfReservations reservation/UnitsPerReservation reservation/TotalReservedUnits
reservation/NormalizedUnitsPerReservation reservation/TotalReservedNormalizedUnits
reservation/SubscriptionId reservation/AvailabilityZone
savingsPlan/SavingsPlanARN savingsPlan/SavingsPlanEffectiveCost savingsPlan/SavingsPlanRate
savingsPlan/TotalCommitmentToDate savingsPlan/UsedCommitment
savingsPlan/RecurringCommitmentForBillingPeriod
savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod savingsPlan/OfferingType
savingsPlan/PaymentOption savingsPlan/PurchaseTerm savingsPlan/Region
savingsPlan/InstanceTypeFamily savingsPlan/StartTime savingsPlan/EndTime
""")
LINE_ITEM_TYPES = {
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
}
BILL_TYPES = {"Anniversary", "Purchase", "Refund"}
BILLING_ENTITIES = {"AWS", "AISPL", "AWS Marketplace"}

# --- AWS CUR 2.0 (reference 2.2), without split cost allocation, IAM principal and `tags` ------
CUR2_DOCUMENTED = names("""
bill_bill_type bill_billing_entity bill_billing_period_end_date bill_billing_period_start_date
bill_invoice_id bill_invoicing_entity bill_payer_account_id bill_payer_account_name
identity_line_item_id identity_time_interval
line_item_availability_zone line_item_blended_cost line_item_blended_rate
line_item_currency_code line_item_legal_entity line_item_line_item_description
line_item_line_item_type line_item_net_unblended_cost line_item_net_unblended_rate
line_item_normalization_factor line_item_normalized_usage_amount line_item_operation
line_item_product_code line_item_resource_id line_item_tax_type line_item_unblended_cost
line_item_unblended_rate line_item_usage_account_id line_item_usage_account_name
line_item_usage_amount line_item_usage_end_date line_item_usage_start_date line_item_usage_type
pricing_currency pricing_lease_contract_length pricing_offering_class
pricing_public_on_demand_cost pricing_public_on_demand_rate pricing_purchase_option
pricing_rate_code pricing_rate_id pricing_term pricing_unit
product product_comment product_fee_code product_fee_description product_from_location
product_from_location_type product_from_region_code product_instance_family
product_instance_type product_instancesku product_location product_location_type
product_operation product_pricing_unit product_product_family product_region_code
product_servicecode product_sku product_to_location product_to_location_type
product_to_region_code product_usagetype
reservation_amortized_upfront_cost_for_usage reservation_amortized_upfront_fee_for_billing_period
reservation_availability_zone reservation_effective_cost reservation_end_time
reservation_modification_status reservation_net_amortized_upfront_cost_for_usage
reservation_net_amortized_upfront_fee_for_billing_period reservation_net_effective_cost
reservation_net_recurring_fee_for_usage
reservation_net_unused_amortized_upfront_fee_for_billing_period
reservation_net_unused_recurring_fee reservation_net_upfront_value
reservation_normalized_units_per_reservation reservation_number_of_reservations
reservation_recurring_fee_for_usage reservation_reservation_a_r_n reservation_start_time
reservation_subscription_id reservation_total_reserved_normalized_units
reservation_total_reserved_units reservation_units_per_reservation
reservation_unused_amortized_upfront_fee_for_billing_period
reservation_unused_normalized_unit_quantity reservation_unused_quantity
reservation_unused_recurring_fee reservation_upfront_value
savings_plan_amortized_upfront_commitment_for_billing_period savings_plan_end_time
savings_plan_instance_type_family
savings_plan_net_amortized_upfront_commitment_for_billing_period
savings_plan_net_recurring_commitment_for_billing_period
savings_plan_net_savings_plan_effective_cost savings_plan_offering_type
savings_plan_payment_option savings_plan_purchase_term
savings_plan_recurring_commitment_for_billing_period savings_plan_region
savings_plan_savings_plan_a_r_n savings_plan_savings_plan_effective_cost
savings_plan_savings_plan_rate savings_plan_start_time savings_plan_total_commitment_to_date
savings_plan_used_commitment
cost_category discount discount_bundled_discount discount_total_discount resource_tags
""")
CUR2_TYPES = {
    "bill_billing_period_start_date": "timestamp[ms]",
    "bill_billing_period_end_date": "timestamp[ms]",
    "line_item_usage_start_date": "timestamp[ms]",
    "line_item_usage_end_date": "timestamp[ms]",
    "line_item_unblended_cost": "double",
    "line_item_usage_amount": "double",
    "line_item_blended_cost": "double",
    "pricing_public_on_demand_cost": "double",
    "reservation_effective_cost": "double",
    "reservation_unused_recurring_fee": "double",
    "savings_plan_savings_plan_effective_cost": "double",
    "savings_plan_total_commitment_to_date": "double",
    "savings_plan_used_commitment": "double",
    "discount_total_discount": "double",
    "line_item_unblended_rate": "string",
    "pricing_public_on_demand_rate": "string",
    "reservation_start_time": "string",
    "reservation_end_time": "string",
    "savings_plan_start_time": "string",
    "savings_plan_end_time": "string",
    "bill_payer_account_id": "string",
    "line_item_usage_account_id": "string",
    "product": "map<string, string>",
    "resource_tags": "map<string, string>",
    "cost_category": "map<string, string>",
    "discount": "map<string, double>",
}

# --- Azure MCA cost details, dataVersion 2023-12-01-preview (reference 4.2), in file order -----
MCA_COLUMNS = names("""
invoiceId previousInvoiceId billingAccountId billingAccountName billingProfileId
billingProfileName invoiceSectionId invoiceSectionName resellerName resellerMpnId costCenter
billingPeriodEndDate billingPeriodStartDate servicePeriodEndDate servicePeriodStartDate date
serviceFamily productOrderId productOrderName consumedService meterId meterName meterCategory
meterSubCategory meterRegion ProductId ProductName SubscriptionId subscriptionName publisherType
publisherId publisherName resourceGroupName ResourceId resourceLocation location effectivePrice
quantity unitOfMeasure chargeType billingCurrency pricingCurrency costInBillingCurrency
costInPricingCurrency costInUsd paygCostInBillingCurrency paygCostInUsd
exchangeRatePricingToBilling exchangeRateDate isAzureCreditEligible serviceInfo1 serviceInfo2
additionalInfo tags PayGPrice frequency term reservationId reservationName pricingModel
unitPrice costAllocationRuleName benefitId benefitName provider
""")

# --- FOCUS 1.2 Cost and Usage (the specification), in its column order ---------------------
FOCUS_COLUMNS = names("""
AvailabilityZone BilledCost BillingAccountId BillingAccountName BillingAccountType
BillingCurrency BillingPeriodEnd BillingPeriodStart CapacityReservationId
CapacityReservationStatus ChargeCategory ChargeClass ChargeDescription ChargeFrequency
ChargePeriodEnd ChargePeriodStart CommitmentDiscountCategory CommitmentDiscountId
CommitmentDiscountName CommitmentDiscountQuantity CommitmentDiscountStatus
CommitmentDiscountType CommitmentDiscountUnit ConsumedQuantity ConsumedUnit ContractedCost
ContractedUnitPrice EffectiveCost InvoiceId InvoiceIssuerName ListCost ListUnitPrice
PricingCategory PricingCurrency PricingCurrencyContractedUnitPrice PricingCurrencyEffectiveCost
PricingCurrencyListUnitPrice PricingQuantity PricingUnit ProviderName PublisherName RegionId
RegionName ResourceId ResourceName ResourceType ServiceCategory ServiceName ServiceSubcategory
SkuId SkuMeter SkuPriceDetails SkuPriceId SubAccountId SubAccountName SubAccountType Tags
""")
FOCUS_NOT_NULL = names("""
BilledCost BillingAccountId BillingAccountType BillingCurrency BillingPeriodEnd
BillingPeriodStart ChargeCategory ChargeFrequency ChargePeriodEnd ChargePeriodStart
ContractedCost EffectiveCost InvoiceIssuerName ListCost ProviderName PublisherName
ServiceCategory ServiceName ServiceSubcategory
""")
FOCUS_SERVICE_CATEGORIES = {
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
}
MANAGEMENT_SUBCATEGORIES = {
    "Architecture",
    "Compliance",
    "Cost Management",
    "Data Governance",
    "Disaster Recovery",
    "Endpoint Management",
    "Observability",
    "Support",
    "Other (Management and Governance)",
}

# --- GCP detailed export (reference 6.2, 6.3) -------------------------------------------------
GCP_KEYS = {
    "billing_account_id",
    "service",
    "sku",
    "usage_start_time",
    "usage_end_time",
    "project",
    "labels",
    "system_labels",
    "location",
    "tags",
    "export_time",
    "cost",
    "currency",
    "currency_conversion_rate",
    "usage",
    "credits",
    "invoice",
    "cost_type",
    "adjustment_info",
    "cost_at_list",
    "transaction_type",
    "seller_name",
    "resource",
    "subscription",
}
GCP_CREDIT_TYPES = {
    "COMMITTED_USAGE_DISCOUNT",
    "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE",
    "FEE_UTILIZATION_OFFSET",
    "SUSTAINED_USAGE_DISCOUNT",
    "FREE_TIER",
    "PROMOTION",
    "DISCOUNT",
    "SUBSCRIPTION_BENEFIT",
    "RESELLER_MARGIN",
}
GCP_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})? UTC$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MDY = re.compile(r"^\d\d/\d\d/\d{4}$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def files(truth: dict, fmt: str) -> list[dict]:
    return [f for f in truth["files"] if f["format"] == fmt]


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    return rows[0], rows[1:]


def test_legacy_cur_header_uses_documented_names_and_messy_tag_columns(generator_demo):
    root, truth = generator_demo
    for f in files(truth, "aws_cur"):
        header, rows = read_csv(root / f["path"])
        assert set(LEGACY_DOCUMENTED) <= set(header), f["path"]
        for name in header:
            assert (
                name in LEGACY_DOCUMENTED
                or re.fullmatch(r"resourceTags/(user|aws):[\w:.\-]+", name)
                or re.fullmatch(r"costCategory/\w+", name)
                or re.fullmatch(r"product/[a-z][A-Za-z]+", name)
            ), name
        assert {
            "resourceTags/user:Team",
            "resourceTags/user:team",
            "resourceTags/user:owner-team",
            "resourceTags/user:env",
        } <= set(header)
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            assert row[col["lineItem/LineItemType"]] in LINE_ITEM_TYPES
            assert row[col["bill/BillType"]] in BILL_TYPES
            assert row[col["bill/BillingEntity"]] in BILLING_ENTITIES
            assert re.fullmatch(r"\d{12}", row[col["bill/PayerAccountId"]])
            assert re.fullmatch(r"\d{12}", row[col["lineItem/UsageAccountId"]])
            assert ISO_UTC.match(row[col["lineItem/UsageStartDate"]])
            assert DECIMAL.match(row[col["lineItem/UnblendedCost"]])


def test_legacy_cur_tag_column_appears_when_activated_mid_window(generator_demo):
    root, truth = generator_demo
    finals = sorted(
        (f for f in files(truth, "aws_cur") if not f["superseded"]),
        key=lambda f: (f["billing_period"], f["path"]),
    )
    months = sorted({f["billing_period"] for f in finals})
    first, second = (
        read_csv(root / next(f for f in finals if f["billing_period"] == m)["path"])[0]
        for m in months[:2]
    )
    assert "resourceTags/user:cost-center" not in first
    assert "resourceTags/user:cost-center" in second


def test_cur2_parquet_has_documented_columns_and_glue_types(generator_demo):
    root, truth = generator_demo
    for f in files(truth, "aws_cur2"):
        schema = pq.read_schema(root / f["path"])
        assert set(schema.names) == set(CUR2_DOCUMENTED)
        for name, type_ in CUR2_TYPES.items():
            t = schema.field(name).type
            if isinstance(t, pa.MapType):  # Parquet names the map's value field; ignore it
                t = f"map<{t.key_type}, {t.item_type}>"
            assert str(t) == type_, name
        assert f["path"].endswith(".snappy.parquet")
        assert f"/data/BILLING_PERIOD={f['billing_period']}/" in f["path"]


def test_azure_exports_have_the_mca_header_with_bom_and_us_dates(generator_demo):
    root, truth = generator_demo
    for fmt in ("azure_actual", "azure_amortized"):
        for f in files(truth, fmt):
            path = root / f["path"]
            # Neither the export's nor the download's path names the dataset.
            assert "actual" not in f["path"].lower() and "amortized" not in f["path"].lower()
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
            header, rows = read_csv(path)
            assert header[0] == "\ufeffinvoiceId"
            assert [header[0].lstrip("\ufeff"), *header[1:]] == MCA_COLUMNS
            col = {name.lstrip("\ufeff"): i for i, name in enumerate(header)}
            for row in rows:
                assert MDY.match(row[col["date"]])
                assert MDY.match(row[col["billingPeriodEndDate"]])
                assert row[col["billingCurrency"]] == "EUR"
                assert row[col["pricingCurrency"]] == "USD"
                tags = row[col["tags"]]
                assert not tags.startswith("{")
                if tags:
                    json.loads("{" + tags + "}")


def test_gcp_export_rows_have_the_bigquery_schema(generator_demo):
    root, truth = generator_demo
    seen_credit_types = set()
    for f in files(truth, "gcp_billing"):
        for line in (root / f["path"]).read_text().splitlines():
            row = json.loads(line)
            assert set(row) == GCP_KEYS
            assert row["invoice"]["month"] == f["billing_period"].replace("-", "")
            assert set(row["service"]) == {"id", "description"}
            assert set(row["usage"]) == {
                "amount",
                "unit",
                "amount_in_pricing_units",
                "pricing_unit",
            }
            assert isinstance(row["cost"], float)
            assert GCP_TIME.match(row["usage_start_time"])
            assert GCP_TIME.match(row["export_time"])
            assert row["cost_type"] in {"regular", "tax", "adjustment", "rounding_error"}
            if row["project"]:
                assert row["project"]["number"].isdigit()
            for credit in row["credits"]:
                assert set(credit) == {"name", "amount", "full_name", "id", "type"}
                assert credit["amount"] < 0
                assert credit["type"] in GCP_CREDIT_TYPES
                seen_credit_types.add(credit["type"])
    assert {"COMMITTED_USAGE_DISCOUNT", "SUSTAINED_USAGE_DISCOUNT", "PROMOTION"} <= (
        seen_credit_types
    )


def test_focus_file_has_all_focus_columns_and_valid_values(generator_demo):
    root, truth = generator_demo
    for f in files(truth, "focus"):
        if "/focus/hub/" in f["path"]:
            continue  # messy on purpose: test_generator_deliveries.py checks it cleaned
        header, rows = read_csv(root / f["path"])
        assert header == FOCUS_COLUMNS
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            for name in FOCUS_NOT_NULL:
                assert row[col[name]] != "", name
            assert row[col["ChargeCategory"]] in {
                "Usage",
                "Purchase",
                "Tax",
                "Credit",
                "Adjustment",
            }
            assert row[col["ChargeFrequency"]] in {"One-Time", "Recurring", "Usage-Based"}
            assert row[col["PricingCategory"]] in {"", "Standard", "Dynamic", "Committed", "Other"}
            assert row[col["ChargeClass"]] in {"", "Correction"}
            assert row[col["ServiceCategory"]] in FOCUS_SERVICE_CATEGORIES
            assert row[col["ServiceSubcategory"]] in MANAGEMENT_SUBCATEGORIES
            for name in (
                "BillingPeriodStart",
                "BillingPeriodEnd",
                "ChargePeriodStart",
                "ChargePeriodEnd",
            ):
                assert ISO_UTC.match(row[col[name]]), name
            if row[col["Tags"]]:
                assert isinstance(json.loads(row[col["Tags"]]), dict)
            if row[col["ChargeCategory"]] == "Credit":
                assert row[col["EffectiveCost"]] == row[col["BilledCost"]]


@pytest.mark.parametrize(
    ("fmt", "header"),
    [
        (
            "invoices",
            "invoice_id,invoice_issuer,provider,billing_account_id,billing_period,"
            "currency,amount,issue_date",
        ),
        ("business_metrics", "date,product,metric,value"),
    ],
)
def test_project_csvs_have_their_exact_header(generator_demo, fmt, header):
    root, truth = generator_demo
    for f in files(truth, fmt):
        first, rows = read_csv(root / f["path"])
        assert ",".join(first) == header
        assert rows
    if fmt == "business_metrics":
        metrics = {r[2] for f in files(truth, fmt) for r in read_csv(root / f["path"])[1]}
        assert metrics == {"requests", "active_users", "gb_processed"}
