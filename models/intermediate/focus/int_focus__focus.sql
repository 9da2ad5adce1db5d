-- FOCUS 1.0 to 1.3 files from any provider -> FOCUS 1.2, one row per file row. The data is
-- FOCUS already; this model repairs what real files get wrong (the rules are the spec's):
--   * the literal string "NULL" (any case) and empty text are missing values;
--   * enumerations in the wrong case ("usage", "USAGE") or an older spelling (1.0-preview
--     "On-Demand", "Commitment-Based", ChargeSubcategory) take the 1.2 value;
--   * ids that went through a spreadsheet ("123456789012.0", AWS ids without leading zeros);
--   * renamed or deprecated columns (1.0 x_InvoiceId etc. in staging; 1.0 x_SkuDetails,
--     1.3 ServiceProviderName/HostProviderName) and missing columns that can be derived;
--   * a missing account name takes the account id;
--   * a unit that is not in FOCUS unit format ("Hrs", "1 Hour") takes the FOCUS spelling of
--     the seed unit_mappings for the file's provider; one the seed does not know either is
--     kept as given and listed in int_focus_vocabulary_gaps (quantities are never changed);
--   * Microsoft's FocusCost gives savings plan purchases a non-zero EffectiveCost (a known
--     bug): a purchase the usage rows amortize has EffectiveCost 0.
-- BilledCost is never changed, so the file still ties to its invoice.
{%- set text_columns = [
    'availability_zone', 'billing_account_id', 'billing_account_name', 'billing_account_type',
    'billing_currency', 'capacity_reservation_id', 'capacity_reservation_status',
    'charge_category', 'charge_class', 'charge_description', 'charge_frequency',
    'commitment_discount_category', 'commitment_discount_id', 'commitment_discount_name',
    'commitment_discount_status', 'commitment_discount_type', 'commitment_discount_unit',
    'consumed_unit', 'invoice_id', 'invoice_issuer_name', 'pricing_category',
    'pricing_currency', 'pricing_unit', 'provider_name', 'publisher_name', 'region_id',
    'region_name', 'resource_id', 'resource_name', 'resource_type', 'service_category',
    'service_name', 'service_subcategory', 'sku_id', 'sku_meter', 'sku_price_details',
    'sku_price_id', 'sub_account_id', 'sub_account_name', 'sub_account_type', 'tags',
    'service_provider_name', 'host_provider_name', 'allocated_method_id',
    'allocated_method_details', 'allocated_resource_id', 'allocated_resource_name',
    'allocated_tags', 'contract_applied', 'charge_subcategory', 'x_amortization_class',
    'x_service_code', 'x_usage_type', 'x_operation', 'x_resource_group_name',
    'x_billing_profile_id', 'x_cost_categories', 'x_sku_details'
] -%}
{%- set service_categories = [
    'AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases',
    'Developer Tools', 'Multicloud', 'Identity', 'Integration', 'Internet of Things',
    'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security',
    'Storage', 'Web', 'Other'
] %}

with cost_and_usage as (

    select * from {{ ref('stg_focus__cost_and_usage') }}

),

placeholders_removed as (

    -- "NULL", "null" and "" are no values: the spec forbids placeholder strings.
    select
        {%- for column in text_columns %}
            {{ focus_null_placeholder(column) }} as {{ column }},
        {%- endfor %}
        billed_cost,
        effective_cost,
        list_cost,
        list_unit_price,
        contracted_cost,
        contracted_unit_price,
        pricing_quantity,
        consumed_quantity,
        commitment_discount_quantity,
        pricing_currency_contracted_unit_price,
        pricing_currency_effective_cost,
        pricing_currency_list_unit_price,
        billing_period_start,
        billing_period_end,
        charge_period_start,
        charge_period_end,
        _manifest_id,
        _source_file,
        _row_number,
        _billing_period
    from cost_and_usage

),

enumerations as (

    -- Enumerations in the 1.2 spelling, whatever the case or the spec version.
    select
        *,
        -- FOCUS 1.3 deprecates ProviderName/PublisherName for HostProviderName and
        -- ServiceProviderName: a 1.3 file may carry only the new ones.
        coalesce(provider_name, host_provider_name, service_provider_name) as provider_fixed,
        coalesce(publisher_name, service_provider_name, provider_name) as publisher_fixed,
        {{ focus_enum('charge_category', ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment']) }}
            as category,
        {{ focus_enum('charge_frequency', ['One-Time', 'Recurring', 'Usage-Based'], {
            'onetime': 'One-Time', 'one time': 'One-Time',
            'usagebased': 'Usage-Based', 'usage based': 'Usage-Based'
        }) }} as frequency,
        {{ focus_enum('pricing_category', ['Standard', 'Dynamic', 'Committed', 'Other'], {
            'on-demand': 'Standard', 'ondemand': 'Standard',
            'commitment-based': 'Committed', 'commitment based': 'Committed'
        }) }} as pricing,
        -- 1.0-preview put the commitment status and refunds in ChargeSubcategory.
        coalesce(
            {{ focus_enum('commitment_discount_status', ['Used', 'Unused']) }},
            case lower(charge_subcategory)
                when 'used commitment' then 'Used'
                when 'unused commitment' then 'Unused'
            end
        ) as commitment_status,
        coalesce(
            {{ focus_enum('charge_class', ['Correction']) }},
            case when lower(charge_subcategory) = 'refund' then 'Correction' end
        ) as charge_class_fixed,
        {{ focus_enum('commitment_discount_category', ['Spend', 'Usage']) }}
            as commitment_category,
        {{ focus_enum('capacity_reservation_status', ['Used', 'Unused']) }}
            as capacity_status,
        {{ focus_enum('service_category', service_categories) }} as category_of_service
    from placeholders_removed

),

repaired as (

    select
        enumerations.*,
        {{ focus_account_id('enumerations.billing_account_id', 'enumerations.provider_fixed') }}
            as account_id,
        {{ focus_account_id('enumerations.sub_account_id', 'enumerations.provider_fixed') }}
            as sub_account,
        {{ focus_account_id('enumerations.invoice_id', "''") }} as invoice,
        subcategories.service_subcategory as known_subcategory,
        coalesce(enumerations.category_of_service, subcategories.service_category, 'Other')
            as service_category_fixed,
        -- Microsoft's FocusCost counts savings plan purchases in EffectiveCost although the
        -- usage rows carry the amortized cost (FinOps toolkit, known data issues).
        (
            lower(enumerations.provider_fixed) like 'microsoft%'
            and enumerations.category = 'Purchase'
            and (
                lower(enumerations.commitment_discount_type) = 'savings plan'
                or lower(enumerations.commitment_discount_id) like '%/microsoft.billingbenefits/%'
            )
        ) as is_microsoft_savings_plan_purchase,
        coalesce(pricing_units.focus_unit, enumerations.pricing_unit) as pricing_unit_fixed,
        -- A consumed unit is taken from the seed only where it holds no block size: the
        -- file's ConsumedQuantity is kept as delivered.
        case
            when consumed_units.block_size = 1 then consumed_units.consumed_unit
            else enumerations.consumed_unit
        end as consumed_unit_fixed
    from enumerations
    left join {{ ref('focus_service_subcategories') }} as subcategories
        on lower(trim(enumerations.service_subcategory)) = lower(subcategories.service_subcategory)
    left join {{ ref('unit_mappings') }} as pricing_units
        on
            {{ focus_unit_provider('enumerations.provider_fixed') }} = pricing_units.provider
            and enumerations.pricing_unit = pricing_units.source_unit
    left join {{ ref('unit_mappings') }} as consumed_units
        on
            {{ focus_unit_provider('enumerations.provider_fixed') }} = consumed_units.provider
            and enumerations.consumed_unit = consumed_units.source_unit

),

final as (

    select
        availability_zone as AvailabilityZone,
        billed_cost as BilledCost,
        account_id as BillingAccountId,
        -- FOCUS wants a name wherever the provider has one; a file without it keeps the id
        -- as the name (as the AWS and GCP mappings do).
        coalesce(billing_account_name, account_id) as BillingAccountName,
        -- 1.2 added the account types; older files get the provider's usual name.
        coalesce(
            billing_account_type,
            case
                when
                    lower(provider_fixed) like 'microsoft%'
                    and lower(account_id) like '%/billingprofiles/%' then 'Billing Profile'
                when lower(provider_fixed) in ('aws', 'amazon web services')
                    then 'Management Account'
                else 'Billing Account'
            end
        ) as BillingAccountType,
        upper(billing_currency) as BillingCurrency,
        coalesce(
            billing_period_end,
            cast(
                {{ dbt.dateadd('month', 1, 'billing_period_start') }}
                as {{ dbt.type_timestamp() }}
            )
        ) as BillingPeriodEnd,
        billing_period_start as BillingPeriodStart,
        capacity_reservation_id as CapacityReservationId,
        capacity_status as CapacityReservationStatus,
        category as ChargeCategory,
        charge_class_fixed as ChargeClass,
        charge_description as ChargeDescription,
        coalesce(
            frequency,
            case
                when category = 'Purchase' then 'One-Time'
                when category = 'Tax' then 'Recurring'
                else 'Usage-Based'
            end
        ) as ChargeFrequency,
        charge_period_end as ChargePeriodEnd,
        charge_period_start as ChargePeriodStart,
        commitment_category as CommitmentDiscountCategory,
        commitment_discount_id as CommitmentDiscountId,
        commitment_discount_name as CommitmentDiscountName,
        commitment_discount_quantity as CommitmentDiscountQuantity,
        commitment_status as CommitmentDiscountStatus,
        commitment_discount_type as CommitmentDiscountType,
        commitment_discount_unit as CommitmentDiscountUnit,
        consumed_quantity as ConsumedQuantity,
        consumed_unit_fixed as ConsumedUnit,
        coalesce(contracted_cost, contracted_unit_price * pricing_quantity, billed_cost)
            as ContractedCost,
        contracted_unit_price as ContractedUnitPrice,
        case
            when is_microsoft_savings_plan_purchase then 0
            else coalesce(effective_cost, billed_cost)
        end as EffectiveCost,
        invoice as InvoiceId,
        coalesce(invoice_issuer_name, provider_fixed) as InvoiceIssuerName,
        coalesce(
            list_cost,
            list_unit_price * pricing_quantity,
            contracted_cost,
            contracted_unit_price * pricing_quantity,
            billed_cost
        ) as ListCost,
        list_unit_price as ListUnitPrice,
        pricing as PricingCategory,
        upper(coalesce(pricing_currency, billing_currency)) as PricingCurrency,
        pricing_currency_contracted_unit_price as PricingCurrencyContractedUnitPrice,
        case
            when is_microsoft_savings_plan_purchase then 0
            else pricing_currency_effective_cost
        end as PricingCurrencyEffectiveCost,
        pricing_currency_list_unit_price as PricingCurrencyListUnitPrice,
        pricing_quantity as PricingQuantity,
        pricing_unit_fixed as PricingUnit,
        provider_fixed as ProviderName,
        publisher_fixed as PublisherName,
        region_id as RegionId,
        region_name as RegionName,
        -- An unused commitment row is about the commitment (FOCUS usage scenario 2).
        case
            when commitment_status = 'Unused' then coalesce(resource_id, commitment_discount_id)
            else resource_id
        end as ResourceId,
        resource_name as ResourceName,
        resource_type as ResourceType,
        service_category_fixed as ServiceCategory,
        coalesce(service_name, provider_fixed) as ServiceName,
        coalesce(known_subcategory, service_subcategory, 'Other (' || service_category_fixed || ')')
            as ServiceSubcategory,
        sku_id as SkuId,
        sku_meter as SkuMeter,
        -- Microsoft's 1.0 x_SkuDetails became SkuPriceDetails in 1.2.
        {{ focus_tags(['coalesce(sku_price_details, x_sku_details)']) }} as SkuPriceDetails,
        sku_price_id as SkuPriceId,
        sub_account as SubAccountId,
        case when sub_account is not null then coalesce(sub_account_name, sub_account) end
            as SubAccountName,
        case
            when sub_account is null then null
            when sub_account_type is not null then sub_account_type
            when lower(provider_fixed) like 'microsoft%' then 'Subscription'
            when lower(provider_fixed) in ('aws', 'amazon web services') then 'Member Account'
            when lower(provider_fixed) like 'google%' then 'Project'
            else 'Sub Account'
        end as SubAccountType,
        -- Tags as one JSON object; text without the outer braces (Azure style) is wrapped.
        {{ focus_tags([
            "case when left(trim(tags), 1) = '{' then tags else '{' || tags || '}' end"
        ]) }} as Tags,
        -- FOCUS 1.3
        coalesce(service_provider_name, publisher_fixed) as ServiceProviderName,
        coalesce(host_provider_name, provider_fixed) as HostProviderName,
        allocated_method_id as AllocatedMethodId,
        allocated_method_details as AllocatedMethodDetails,
        allocated_resource_id as AllocatedResourceId,
        allocated_resource_name as AllocatedResourceName,
        allocated_tags as AllocatedTags,
        contract_applied as ContractApplied,
        -- provenance and provider ids
        'focus' as x_SourceFormat,
        _source_file as x_SourceFile,
        _manifest_id as x_ManifestId,
        _row_number as x_SourceRowNumber,
        concat(_manifest_id, '#', cast(_row_number as {{ dbt.type_string() }})) as x_RowId,
        _billing_period as x_BillingPeriod,
        coalesce(
            x_amortization_class,
            case
                when category = 'Purchase' and commitment_discount_id is not null
                    then 'Principal'
                when category = 'Usage' and commitment_status is not null
                    then 'Amortized Charge'
            end
        ) as x_AmortizationClass,
        cast(null as {{ dbt.type_string() }}) as x_SourceChargeType,
        x_service_code as x_ServiceCode,
        x_usage_type as x_UsageType,
        x_operation as x_Operation,
        cast(null as {{ dbt.type_string() }}) as x_LineItemId,
        x_resource_group_name as x_ResourceGroupName,
        x_billing_profile_id as x_BillingProfileId,
        x_cost_categories as x_CostCategories,
        cast(null as {{ dbt.type_string() }}) as x_Credits,
        cast(null as {{ money() }}) as x_NormalizedUsageAmount,
        -- vocabulary neither the seed nor the unit format knows, kept as given above
        -- (int_focus_vocabulary_gaps); not FOCUS columns: stored beside, not in the mart.
        case
            when not {{ focus_is_unit_format('pricing_unit_fixed') }} then pricing_unit_fixed
        end as vocabulary_unknown_unit,
        case
            when not {{ focus_is_unit_format('consumed_unit_fixed') }} then consumed_unit_fixed
        end as vocabulary_unknown_consumed_unit,
        cast(null as {{ dbt.type_string() }}) as vocabulary_unknown_service,
        cast(null as {{ dbt.type_string() }}) as vocabulary_unknown_region,
        case
            when category not in ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')
                then category
        end as vocabulary_unknown_charge_type
    from repaired

)

select * from final
