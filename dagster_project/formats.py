"""The export format registry: what ingestion knows about each provider export.

Each :class:`ExportFormat` is plain data (no I/O): the raw table, how to recognise a file from its
header, the declared columns with their DuckDB types, the required columns, and the SQL
expressions (over the file's own columns) that give its billing account, billing period, cost
total and currency. Ingestion (``dagster_project.ingest``) and the dbt staging models read it.

Adding a format needs:

1. an ``ExportFormat`` below, added to ``DETECTION_ORDER`` (the first format
   whose ``detect`` matches wins, so put the more specific header first);
2. a Great Expectations suite ``expectations/<key>.json`` (``python -m
   dagster_project.ingest.suites`` writes a starting point from this registry);
3. a dbt source and staging model ``models/staging/<key>/``;
4. a test that builds a tiny file of the format and ingests it (``tests/unit/test_formats.py``).

Conventions: formats that accept CSV declare every column VARCHAR (ids keep their leading
zeros; staging casts), and Parquet files of those formats are cast to text on load so the raw
table has one schema. Parquet/JSON-only formats declare real types: money as ``MONEY`` (exact
decimal, never DOUBLE), timestamps as TIMESTAMP in UTC, maps and nested records as DuckDB
MAP/STRUCT/LIST. Column names are the provider's own, byte-exact; DuckDB matches them
case-insensitively, so a name that two variants spell differently (EA ``BillingAccountId``,
MCA ``billingAccountId``) is declared once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MONEY = "DECIMAL(38,10)"
"""Money, prices and quantities in typed (Parquet/JSON) raw tables."""

GCP_NUMERIC = "DECIMAL(38,9)"
"""BigQuery NUMERIC; GCP FLOAT money is read into it so sums are exact."""

STRING_MAP = "MAP(VARCHAR, VARCHAR)"
KEY_VALUE_LIST = "STRUCT(key VARCHAR, value VARCHAR)[]"

METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_manifest_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_row_number", "BIGINT"),
    ("_billing_account_id", "VARCHAR"),
    ("_billing_period", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_provider", "VARCHAR"),
    ("_delivery_id", "VARCHAR"),
)
"""Columns ingestion adds to every raw table (docs/ingestion.md, "Raw tables"). The partition
columns (``_provider``, ``_billing_account_id``, ``_billing_period``) are per row: a file may
hold many partitions."""

NULL_MARKERS = ("", "NULL")
"""Text cells that mean "no value" in every CSV export: empty, and the literal ``NULL`` that
database dumps and the FOCUS sample data write. Ingestion reads them as NULL before validation."""

ISO_4217 = frozenset(
    re.findall(
        r"[A-Z]{3}",
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
    """,
    )
)
"""ISO 4217 currency codes (current, and those replaced recently enough to appear in billing
history: HRK, SLL, ZWL). A billing currency outside it refuses the file."""


def parse_timestamp_sql(column_sql: str) -> str:
    """SQL turning a text timestamp of any documented export variant into a UTC TIMESTAMP.

    Accepts ISO 8601 with or without fractions and offsets (AWS, FOCUS 1.0r2), the minute-only
    Azure FOCUS 1.0 form ``2024-01-01T00:00Z``, BigQuery's ``2024-01-01 00:00:00 UTC``, and Azure
    ``MM/DD/YYYY`` (padded or not). NULL when nothing matches; callers treat a non-empty value
    that gives NULL as unparseable.
    """
    return (
        f"coalesce(try_cast({column_sql} AS TIMESTAMPTZ)::TIMESTAMP, "
        f"try_strptime({column_sql}, ['%Y-%m-%dT%H:%MZ', '%m/%d/%Y', '%m/%d/%Y %H:%M:%S']))"
    )


def month_sql(timestamp_sql: str) -> str:
    """SQL for the first day of the month of a timestamp expression (a billing period)."""
    return f"CAST(date_trunc('month', {timestamp_sql}) AS DATE)"


def quote(name: str) -> str:
    """Quote a column name for DuckDB SQL (names like ``lineItem/UnblendedCost`` need it)."""
    return '"' + name.replace('"', '""') + '"'


def athena_name(csv_name: str) -> str:
    """The Parquet/Athena spelling of a legacy CUR CSV column (CUR guide ``cur-ate-run``).

    ``lineItem/UnblendedCost`` -> ``line_item_unblended_cost``; used to load legacy CUR
    Parquet files into the CSV-named raw table.
    """
    spaced = re.sub(r"([A-Z])", r"_\1", csv_name).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", spaced)).strip("_")


@dataclass(frozen=True)
class Column:
    """One declared column of a raw table."""

    name: str
    type: str = "VARCHAR"


@dataclass(frozen=True)
class Detection:
    """How to recognise a format from a file's header (column names).

    ``all_of`` must all be present; at least one of ``any_of`` (when given) must be present;
    none of ``none_of`` may be present. Matching is case-insensitive (Azure EA vs MCA).
    ``path_tokens``: when given, one of them must appear in the file's path (lower-cased);
    Azure actual vs amortized share a header; the path is one hint among several (the landing
    config, the export's manifest, the content) and never a reason to refuse a file.
    """

    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    path_tokens: tuple[str, ...] = ()

    def matches_header(self, header: list[str]) -> bool:
        """True when a header (list of column names) has the shape of this format."""
        names = {h.lower() for h in header}
        if not all(c.lower() in names for c in self.all_of):
            return False
        if self.any_of and not any(c.lower() in names for c in self.any_of):
            return False
        return not any(c.lower() in names for c in self.none_of)


@dataclass(frozen=True)
class ExportFormat:
    """Everything ingestion needs to know about one export format.

    SQL expressions are written over the file's columns as loaded into the scratch table
    (CSV: VARCHAR; Parquet/JSON: native types), quoted with :func:`quote`.
    """

    key: str
    description: str
    file_types: tuple[str, ...]
    detect: Detection
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    billing_account_sql: str
    billing_period_sql: str
    """SQL giving a DATE, the first day of the billing month."""
    cost_sql: str | None
    """SQL giving the row's cost as an exact decimal; summed into the manifest's cost_total."""
    currency_sql: str | None
    required_any: tuple[tuple[str, ...], ...] = ()
    """Groups of alternative names of which at least one must be present (Azure variants)."""
    numeric_columns: tuple[str, ...] = ()
    """Text columns that must hold numbers when not empty (validated; staging casts)."""
    timestamp_columns: tuple[str, ...] = ()
    """Text columns that must parse with :func:`parse_timestamp_sql` when not empty."""
    id_columns: tuple[str, ...] = ()
    """Columns that must not be NULL or empty on any row."""
    enumerations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Documented values per column; unknown values only warn (providers add values)."""
    folded_prefixes: dict[str, str] = field(default_factory=dict)
    """Dynamic column families folded into one JSON column: prefix -> JSON column name."""
    provider_sql: str = "CAST(NULL AS VARCHAR)"
    """SQL giving the provider of a row: a constant for a provider's own export, the ProviderName
    column for FOCUS files (a FOCUS hub's file holds several providers)."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Older spellings of declared columns (lower-cased alias -> declared name), used when the
    declared name itself is not in the header (FOCUS 0.5 / 1.0-preview names)."""
    dataset: str | None = None
    """For formats that share one header (Azure actual and amortized cost): which dataset this
    is, ``actual`` or ``amortized``."""
    partition_from_path: bool = False
    """The file names neither its billing account nor its billing period (a commitment
    inventory): both come from its path, ``.../billingAccounts/<account>/<name>YYYY-MM-DD.json``
    (:data:`INVENTORY_PATH`), and ``billing_account_sql`` / ``billing_period_sql`` are unused."""

    @property
    def raw_table(self) -> str:
        """The raw table's name inside schema ``raw`` (= the format key)."""
        return self.key

    @property
    def qualified_table(self) -> str:
        """The raw table with its schema, ``raw.<key>``, for SQL."""
        return f"raw.{self.key}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Declared column names, in declaration order."""
        return tuple(c.name for c in self.columns)

    @property
    def text_only(self) -> bool:
        """True when the format accepts CSV, so all its raw columns are VARCHAR."""
        return any(t.startswith("csv") for t in self.file_types)

    def column(self, name: str) -> Column | None:
        """The declared column of that name (case-insensitive), or None (schema drift)."""
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    @property
    def currency_columns(self) -> tuple[str, ...]:
        """The columns ``currency_sql`` reads: ISO 4217 codes, cased and trimmed on read."""
        return tuple(re.findall(r'"([^"]+)"', self.currency_sql or ""))

    def enumeration(self, name: str) -> tuple[str, ...] | None:
        """The documented values of a column (case-insensitive name), or None."""
        lowered = name.lower()
        return next((v for k, v in self.enumerations.items() if k.lower() == lowered), None)


def _text(names: str) -> tuple[Column, ...]:
    """VARCHAR columns from a whitespace-separated list (CSV formats)."""
    return tuple(Column(n) for n in names.split())


def _typed(spec: str) -> tuple[Column, ...]:
    """Columns from ``name:TYPE`` lines; a bare name is VARCHAR, ``$`` is MONEY."""
    columns = []
    for line in spec.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, type_ = line.partition(":")
        type_ = type_.strip() or "VARCHAR"
        columns.append(Column(name.strip(), MONEY if type_ == "$" else type_))
    return tuple(columns)


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

_AWS_CUR_STATIC = _text(
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

_CUR2_COLUMNS = _typed(
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

# --- Azure cost details (EA and MCA, actual and amortized) ------------------------------------

# Union of EA 2024-08-01, the EA "C360" variant, MCA 2023-12-01-preview and the legacy
# usage-details names; each case-insensitive name once (EA BillingAccountId = MCA billingAccountId).
_AZURE_COLUMNS = _text(
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

# --- GCP detailed billing export (BigQuery dump) -----------------------------------------------

_GCP_CREDIT = (
    f"STRUCT(name VARCHAR, amount {GCP_NUMERIC}, full_name VARCHAR, id VARCHAR, type VARCHAR)[]"
)
_GCP_PRICE = (
    f"STRUCT(effective_price {GCP_NUMERIC}, tier_start_amount {GCP_NUMERIC}, unit VARCHAR, "
    f"pricing_unit_quantity {GCP_NUMERIC}, list_price {GCP_NUMERIC}, "
    f"effective_price_default {GCP_NUMERIC}, list_price_consumption_model {GCP_NUMERIC})"
)

GCP_BILLING = ExportFormat(
    key="gcp_billing",
    description="GCP detailed billing export dumped from BigQuery (JSONL or Parquet)",
    file_types=("jsonl", "json", "jsonl.gz", "parquet"),
    detect=Detection(
        all_of=("billing_account_id", "cost", "invoice"), any_of=("usage_start_time",)
    ),
    columns=(
        Column("billing_account_id"),
        Column("service", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("sku", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("usage_start_time", "TIMESTAMP"),
        Column("usage_end_time", "TIMESTAMP"),
        Column(
            "project",
            "STRUCT(id VARCHAR, number VARCHAR, name VARCHAR, labels "
            f"{KEY_VALUE_LIST}, ancestry_numbers VARCHAR, ancestors "
            "STRUCT(resource_name VARCHAR, display_name VARCHAR)[])",
        ),
        Column("labels", KEY_VALUE_LIST),
        Column("system_labels", KEY_VALUE_LIST),
        Column(
            "location",
            "STRUCT(location VARCHAR, country VARCHAR, region VARCHAR, zone VARCHAR)",
        ),
        Column(
            "tags",
            "STRUCT(key VARCHAR, value VARCHAR, inherited BOOLEAN, namespace VARCHAR)[]",
        ),
        Column("export_time", "TIMESTAMP"),
        Column("cost", GCP_NUMERIC),
        Column("currency"),
        Column("currency_conversion_rate", "DOUBLE"),
        Column(
            "usage",
            f"STRUCT(amount {GCP_NUMERIC}, unit VARCHAR, amount_in_pricing_units "
            f"{GCP_NUMERIC}, pricing_unit VARCHAR)",
        ),
        Column("credits", _GCP_CREDIT),
        Column("invoice", "STRUCT(month VARCHAR, publisher_type VARCHAR)"),
        Column("cost_type"),
        Column(
            "adjustment_info",
            "STRUCT(id VARCHAR, description VARCHAR, type VARCHAR, mode VARCHAR)",
        ),
        Column("cost_at_list", GCP_NUMERIC),
        Column("transaction_type"),
        Column("seller_name"),
        Column("price", _GCP_PRICE),
        Column("cost_at_effective_price_default", GCP_NUMERIC),
        Column("cost_at_list_consumption_model", GCP_NUMERIC),
        Column("consumption_model", "STRUCT(id VARCHAR, description VARCHAR)"),
        Column("resource", "STRUCT(name VARCHAR, global_name VARCHAR)"),
        Column("subscription", "STRUCT(instance_id VARCHAR)"),
    ),
    required=("billing_account_id", "invoice", "cost", "currency", "usage_start_time"),
    billing_account_sql=quote("billing_account_id"),
    # invoice.month is the billing period (US Pacific), never the usage date.
    billing_period_sql="CAST(strptime(invoice.month, '%Y%m') AS DATE)",
    cost_sql=f"CAST({quote('cost')} AS {GCP_NUMERIC})",
    currency_sql=quote("currency"),
    provider_sql="'Google Cloud'",
    id_columns=("billing_account_id",),
    enumerations={
        "cost_type": ("regular", "tax", "adjustment", "rounding_error"),
        "transaction_type": ("GOOGLE", "THIRD_PARTY_RESELLER", "THIRD_PARTY_AGENCY"),
    },
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

_FOCUS_COLUMNS = _text(
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
    columns=_text(
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

# --- Project CSVs --------------------------------------------------------------------------------

INVOICES = ExportFormat(
    key="invoices",
    description="Invoice totals, the project's generic CSV",
    file_types=("csv",),
    detect=Detection(all_of=("invoice_id", "invoice_issuer", "billing_period", "amount")),
    columns=_text(
        "invoice_id invoice_issuer provider billing_account_id billing_period currency amount "
        "issue_date"
    ),
    required=(
        "invoice_id",
        "invoice_issuer",
        "provider",
        "billing_account_id",
        "billing_period",
        "currency",
        "amount",
        "issue_date",
    ),
    billing_account_sql=quote("billing_account_id"),
    billing_period_sql="CAST(strptime(billing_period, '%Y-%m') AS DATE)",
    cost_sql=f"CAST({quote('amount')} AS {MONEY})",
    currency_sql=quote("currency"),
    numeric_columns=("amount",),
    timestamp_columns=("issue_date",),
    id_columns=("invoice_id", "billing_account_id", "billing_period", "currency"),
)

BUSINESS_METRICS = ExportFormat(
    key="business_metrics",
    description="Daily business metrics date,product,metric,value",
    file_types=("csv",),
    detect=Detection(all_of=("date", "product", "metric", "value")),
    columns=_text("date product metric value"),
    required=("date", "product", "metric", "value"),
    # Business metrics have no billing account; the grain of replacement is the month.
    billing_account_sql="'business_metrics'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("date"))),
    # Not money: the manifest's control total of a metrics file is the sum of its values.
    cost_sql=f"CAST({quote('value')} AS {MONEY})",
    currency_sql=None,
    numeric_columns=("value",),
    timestamp_columns=("date",),
    id_columns=("date", "product", "metric"),
)

ANOMALY_LABELS = ExportFormat(
    key="anomaly_labels",
    description="Anomaly labels: known cost changes, scored by the anomaly backtest",
    file_types=("csv",),
    detect=Detection(all_of=("label_id", "kind", "first_day")),
    columns=_text(
        "label_id kind provider billing_account_id sub_account_id service_name resource_id "
        "first_day last_day extra_cost_per_day description"
    ),
    required=("label_id", "kind", "first_day"),
    # Labels are not bills: the grain of replacement is the month of their first day.
    billing_account_sql="'anomaly_labels'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("first_day"))),
    cost_sql=None,
    currency_sql=None,
    numeric_columns=("extra_cost_per_day",),
    timestamp_columns=("first_day", "last_day"),
    id_columns=("label_id", "kind", "first_day"),
)

# --- Exchange rates (reporting currency, docs/currency.md) --------------------------------------

ECB_CURRENCIES = tuple(
    re.findall(
        r"[A-Z]{3}",
        """
    USD JPY BGN CYP CZK DKK EEK GBP HUF LTL LVL MTL PLN ROL RON SEK SIT SKK CHF ISK NOK HRK RUB
    TRL TRY AUD BRL CAD CNY HKD IDR ILS INR KRW MXN MYR NZD PHP SGD THB ZAR
    """,
    )
)
"""The currency columns of the ECB's ``eurofxref-hist.csv``, in its order (units per 1 EUR).
``models/staging/ecb_rates`` unpivots the same list."""

ECB_RATES = ExportFormat(
    key="ecb_rates",
    description="ECB euro reference rates (eurofxref-hist.csv: Date, one column per currency)",
    file_types=("csv",),
    detect=Detection(all_of=("Date", "USD", "JPY", "GBP")),
    columns=_text("Date " + " ".join(ECB_CURRENCIES)),
    required=("Date",),
    # One publisher, one series: the grain of replacement is the month of the quotes.
    billing_account_sql="'ecb'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("Date"))),
    cost_sql=None,
    currency_sql=None,
    # Rates are not checked as numbers here: the ECB writes N/A on a currency's holidays, and
    # staging casts every other value (a bad one fails the build, naming it).
    timestamp_columns=("Date",),
    id_columns=("Date",),
)

EXCHANGE_RATES = ExportFormat(
    key="exchange_rates",
    description="Monthly exchange rates month,from,to,rate (1 from = rate to)",
    file_types=("csv",),
    detect=Detection(all_of=("month", "from", "to", "rate")),
    columns=_text("month from to rate"),
    required=("month", "from", "to", "rate"),
    billing_account_sql="'exchange_rates'",
    billing_period_sql=f"CAST(strptime({quote('month')}, '%Y-%m') AS DATE)",
    cost_sql=None,
    currency_sql=None,
    numeric_columns=("rate",),
    id_columns=("month", "from", "to", "rate"),
)

# --- Commitment inventories (the providers' own lists, JSON arrays as their CLIs print them) ----

INVENTORY_PATH = re.compile(
    r"(?:^|/)billingAccounts/(?P<account>[^/]+)/(?:[^/]+/)*"
    r"[^/]*?(?P<date>\d{4}-\d{2}-\d{2})[^/]*$",
    re.IGNORECASE,
)
"""Where an inventory file says its billing account (the folder after ``billingAccounts/``,
the providers' own resource-name form) and its snapshot day (``YYYY-MM-DD`` in the file name;
the billing period is that day's month)."""

_INVENTORY = dict(
    file_types=("json",),
    billing_account_sql="NULL",
    billing_period_sql="NULL",
    cost_sql=None,
    currency_sql=None,
    id_columns=("id",),
    partition_from_path=True,
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
    **_INVENTORY,
)

GCP_COMMITMENTS = ExportFormat(
    key="gcp_commitments",
    description="GCP Compute Engine commitments (gcloud compute commitments list)",
    detect=Detection(all_of=("kind", "selfLink", "plan", "startTimestamp", "endTimestamp")),
    columns=_typed(
        """
        kind
        id
        creationTimestamp: TIMESTAMP
        name
        description
        region
        selfLink
        status
        statusMessage
        plan
        startTimestamp: TIMESTAMP
        endTimestamp: TIMESTAMP
        resources: STRUCT(type VARCHAR, amount BIGINT, acceleratorType VARCHAR)[]
        type
        category
        autoRenew: BOOLEAN
        """
    ),
    required=("id", "plan", "startTimestamp", "endTimestamp"),
    enumerations={
        "kind": ("compute#commitment",),
        "status": ("ACTIVE", "CANCELLED", "CREATING", "EXPIRED", "NOT_YET_ACTIVE"),
        "plan": ("TWELVE_MONTH", "THIRTY_SIX_MONTH"),
        "category": ("MACHINE", "LICENSE"),
    },
    **_INVENTORY,
)

RATE_FORMATS = frozenset({ECB_RATES.key, EXCHANGE_RATES.key})
"""Rates, not bills: a rates file may reach back before the first billing month (the ECB's
history starts in 1999); those months convert no bill and build nothing."""

DETECTION_ORDER: tuple[ExportFormat, ...] = (
    FOCUS_INVOICE_DETAIL,
    FOCUS,
    AWS_CUR,
    AWS_CUR2,
    AZURE_ACTUAL,
    AZURE_AMORTIZED,
    GCP_BILLING,
    INVOICES,
    BUSINESS_METRICS,
    ANOMALY_LABELS,
    ECB_RATES,
    EXCHANGE_RATES,
    AZURE_RESERVATIONS,
    GCP_COMMITMENTS,
)
"""All formats, in detection order (FOCUS files first: they may carry x_ provider columns)."""

FORMATS: dict[str, ExportFormat] = {f.key: f for f in DETECTION_ORDER}
"""The registry: format key -> format."""


def get_format(key: str) -> ExportFormat:
    """The format registered under ``key``; KeyError names the known keys."""
    try:
        return FORMATS[key]
    except KeyError:
        raise KeyError(f"unknown format {key!r}; known: {', '.join(FORMATS)}") from None
