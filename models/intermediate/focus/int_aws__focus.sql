-- AWS line items (legacy CUR and CUR 2.0, aligned in int_aws_line_items_unioned) -> FOCUS 1.2:
-- one row per line item (SavingsPlanNegation rows dropped), plus one Unused row per RI or
-- Savings Plan fee row with unused commitment. docs/focus-mapping.md lists every column.
--
-- Line item types (AWS CUR user guide, lineItem/LineItemType) -> FOCUS:
--   Usage                      Usage / Standard (Spot: Dynamic) / Usage-Based
--   DiscountedUsage            Usage / Committed / Used: BilledCost 0 (RI), EffectiveCost =
--                              reservation/EffectiveCost
--   SavingsPlanCoveredUsage    Usage / Committed / Used: BilledCost 0, EffectiveCost =
--                              savingsPlan/SavingsPlanEffectiveCost
--   SavingsPlanNegation        dropped (see the WHERE clause)
--   RIFee                      Purchase / Standard / Recurring, EffectiveCost 0
--                              + an Unused row when part of the reservation went unused
--   SavingsPlanRecurringFee    Purchase / Standard / Recurring, EffectiveCost 0
--                              + an Unused row for TotalCommitmentToDate - UsedCommitment
--   SavingsPlanUpfrontFee, Fee with a commitment ARN
--                              Purchase / Standard / One-Time over the commitment's term,
--                              EffectiveCost 0
--   Fee (support, subscriptions) Purchase / Standard, Recurring when it spans the whole
--                              billing period, else One-Time; EffectiveCost = BilledCost
--   Tax                        Tax
--   Credit, *Discount          Credit, EffectiveCost = BilledCost
--   Refund                     the refunded charge's category (Purchase for a commitment,
--                              else Usage), ChargeClass Correction
--   anything else              Adjustment (never rejected: AWS adds types), counted in
--                              int_focus_vocabulary_gaps (vocabulary_unknown_charge_type)
{%- set consumption = focus_is_consumption(
    'focus_rows.charge_category', 'focus_rows.charge_class', 'focus_rows.commitment_discount_status'
) %}
with classified as (

    -- One row per line item that becomes a FOCUS row, with the decisions the FOCUS
    -- columns depend on.
    select
        *,
        nullif(reservation_reservation_a_r_n, '') as ri_arn,
        nullif(savings_plan_savings_plan_a_r_n, '') as sp_arn,
        coalesce(
            nullif(reservation_reservation_a_r_n, ''),
            nullif(savings_plan_savings_plan_a_r_n, '')
        ) as commitment_id,
        case
            when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
                then 'Usage'
            when line_item_line_item_type = 'Tax' then 'Tax'
            when line_item_line_item_type in (
                'Fee', 'RIFee', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee'
            ) then 'Purchase'
            -- A refund gives back money for an earlier charge: it keeps that charge's
            -- category (FOCUS has no Refund category) and is marked a Correction below.
            when line_item_line_item_type = 'Refund'
                then
                    case
                        when coalesce(
                            nullif(reservation_reservation_a_r_n, ''),
                            nullif(savings_plan_savings_plan_a_r_n, '')
                        ) is not null then 'Purchase'
                        else 'Usage'
                    end
            when line_item_line_item_type = 'Credit' or line_item_line_item_type like '%Discount'
                then 'Credit'
            else 'Adjustment'
        end as charge_category,
        -- A commitment purchase reaches EffectiveCost through the usage it covers and its
        -- Unused rows (amortized), so the purchase row itself has EffectiveCost 0.
        (
            line_item_line_item_type in (
                'RIFee', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee'
            )
            or (
                line_item_line_item_type in ('Fee', 'Refund')
                and coalesce(
                    nullif(reservation_reservation_a_r_n, ''),
                    nullif(savings_plan_savings_plan_a_r_n, '')
                ) is not null
            )
        ) as is_commitment_purchase

    from {{ ref('int_aws_line_items_unioned') }}
    -- SavingsPlanNegation rows cancel the on-demand cost of Savings Plan covered usage.
    -- FOCUS puts covered usage at BilledCost 0 instead, so the negations would count twice.
    -- The bill still ties: Σ negations = -Σ covered on-demand cost, and both are left out.
    -- Their quantity is never counted either.
    where line_item_line_item_type != 'SavingsPlanNegation'

),

charges as {{ not_materialized() }} (

    select
        -- account and billing period
        bill_payer_account_id as billing_account_id,
        -- CUR 2.0 names the accounts; the legacy CUR does not, and FOCUS wants a name
        -- wherever the provider has one: the id stands in for the name (a names seed can
        -- replace it later).
        coalesce(nullif(bill_payer_account_name, ''), bill_payer_account_id)
            as billing_account_name,
        line_item_usage_account_id as sub_account_id,
        coalesce(nullif(line_item_usage_account_name, ''), line_item_usage_account_id)
            as sub_account_name,
        line_item_currency_code as billing_currency,
        coalesce(
            bill_billing_period_start_date, cast(_billing_period as {{ dbt.type_timestamp() }})
        ) as billing_period_start,
        coalesce(
            bill_billing_period_end_date,
            cast({{ dbt.dateadd('month', 1, '_billing_period') }} as {{ dbt.type_timestamp() }})
        ) as billing_period_end,
        nullif(bill_invoice_id, '') as invoice_id,
        coalesce(nullif(bill_invoicing_entity, ''), 'Amazon Web Services, Inc.')
            as invoice_issuer_name,
        -- Marketplace charges are sold by a third party, named in lineItem/LegalEntity.
        case
            when bill_billing_entity = 'AWS Marketplace'
                then coalesce(nullif(line_item_legal_entity, ''), 'AWS Marketplace')
            else 'AWS'
        end as publisher_name,

        -- what was charged
        charge_category,
        -- Corrections fix an already invoiced period: AWS issues refunds for charges it
        -- billed before, and any charge whose usage starts before the bill's period is one.
        case
            when line_item_line_item_type = 'Refund' then 'Correction'
            when line_item_usage_start_date < bill_billing_period_start_date then 'Correction'
        end as charge_class,
        case
            when line_item_line_item_type = 'Refund' then 'One-Time'
            when charge_category = 'Usage' then 'Usage-Based'
            when line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
            when line_item_line_item_type = 'SavingsPlanUpfrontFee' then 'One-Time'
            when line_item_line_item_type = 'Fee' and commitment_id is not null then 'One-Time'
            -- Support and subscription fees: monthly when they span the whole bill.
            when
                line_item_line_item_type = 'Fee'
                and line_item_usage_start_date = bill_billing_period_start_date
                and line_item_usage_end_date = bill_billing_period_end_date
                then 'Recurring'
            when line_item_line_item_type = 'Fee' then 'One-Time'
            when line_item_line_item_type = 'Tax' then 'Recurring'
            when line_item_line_item_type = 'Credit' then 'One-Time'
            else 'Usage-Based'
        end as charge_frequency,
        case
            when charge_category not in ('Usage', 'Purchase') then null
            -- Covered usage names its RI or Savings Plan; a row without the ARN (AWS always
            -- fills it; koku-nise does not) cannot claim a commitment it does not name.
            when
                line_item_line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage')
                and commitment_id is not null
                then 'Committed'
            when
                charge_category = 'Usage'
                and (pricing_term = 'Spot' or line_item_usage_type like '%SpotUsage%')
                then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        nullif(line_item_line_item_description, '') as charge_description,
        -- An upfront commitment fee pays for the whole term: its charge period is the term
        -- (FOCUS spec, commitment purchase scenario 1). Everything else: the usage window.
        case
            when line_item_line_item_type = 'SavingsPlanUpfrontFee'
                then coalesce(savings_plan_start_time, line_item_usage_start_date)
            when line_item_line_item_type = 'Fee' and ri_arn is not null
                then coalesce(reservation_start_time, line_item_usage_start_date)
            else line_item_usage_start_date
        end as charge_period_start,
        case
            when line_item_line_item_type = 'SavingsPlanUpfrontFee'
                then coalesce(savings_plan_end_time, line_item_usage_end_date)
            when line_item_line_item_type = 'Fee' and ri_arn is not null
                then coalesce(reservation_end_time, line_item_usage_end_date)
            else line_item_usage_end_date
        end as charge_period_end,

        -- money. BilledCost is cash: UnblendedCost, except SP-covered usage, whose on-demand
        -- cost the (dropped) negation cancels on the bill.
        case
            when line_item_line_item_type = 'SavingsPlanCoveredUsage' then 0
            else line_item_unblended_cost
        end as billed_cost,
        case
            when line_item_line_item_type = 'DiscountedUsage' then reservation_effective_cost
            when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then savings_plan_savings_plan_effective_cost
            when is_commitment_purchase then 0
            else line_item_unblended_cost
        end as effective_cost,
        pricing_public_on_demand_rate as list_unit_price,
        pricing_public_on_demand_cost as list_cost,
        -- RI-covered usage carries a rate of 0; what it would have cost is the on-demand rate.
        case
            when line_item_line_item_type = 'DiscountedUsage' then pricing_public_on_demand_rate
            else line_item_unblended_rate
        end as contracted_unit_price,
        case
            when line_item_line_item_type = 'DiscountedUsage' then pricing_public_on_demand_cost
            else line_item_unblended_cost
        end as contracted_cost,
        case when charge_category != 'Tax' then line_item_usage_amount end as pricing_quantity,
        pricing_unit as provider_unit,

        -- commitment
        commitment_id,
        case
            when ri_arn is not null then 'Reserved Instance'
            when sp_arn is not null then 'Savings Plan'
        end as commitment_discount_type,
        case
            when ri_arn is not null then 'Usage'
            when sp_arn is not null then 'Spend'
        end as commitment_discount_category,
        case
            when
                line_item_line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage')
                and commitment_id is not null
                then 'Used'
        end as commitment_discount_status,
        -- Size-flexible RIs count in normalized hours (nano 0.25 ... 32xlarge 256), so one
        -- reservation's usage adds up across instance sizes (FOCUS flexibility examples).
        case
            when commitment_id is null then null
            when line_item_line_item_type = 'DiscountedUsage'
                then coalesce(line_item_normalized_usage_amount, line_item_usage_amount)
            when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then savings_plan_savings_plan_effective_cost
            when line_item_line_item_type = 'RIFee'
                then coalesce(reservation_total_reserved_normalized_units, line_item_usage_amount)
            when line_item_line_item_type = 'SavingsPlanRecurringFee'
                then savings_plan_total_commitment_to_date
            when line_item_line_item_type = 'SavingsPlanUpfrontFee' then line_item_unblended_cost
            -- An upfront RI fee buys its reservations for the whole term (its charge
            -- period): reserved units for the term, else reservations x hours of the term.
            when line_item_line_item_type = 'Fee' and ri_arn is not null
                then coalesce(
                    reservation_total_reserved_normalized_units,
                    reservation_total_reserved_units,
                    reservation_number_of_reservations
                    * {{ dbt.datediff('reservation_start_time', 'reservation_end_time', 'hour') }}
                )
        end as commitment_discount_quantity,
        case
            when
                ri_arn is not null
                and coalesce(
                    line_item_normalized_usage_amount, reservation_total_reserved_normalized_units
                ) is not null
                then 'Normalized Hours'
            when ri_arn is not null then 'Hours'
            when sp_arn is not null then line_item_currency_code
        end as commitment_discount_unit,
        case
            when is_commitment_purchase then 'Principal'
            when line_item_line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage')
                then 'Amortized Charge'
        end as amortization_class,

        -- resource, service, location, SKU
        -- A commitment purchase's resource is the commitment (FOCUS spec examples).
        case
            when is_commitment_purchase then commitment_id
            else nullif(line_item_resource_id, '')
        end as resource_id,
        line_item_product_code as provider_service,
        nullif(product_product_name, '') as product_name,
        nullif(product_region_code, '') as region_id,
        nullif(product_location, '') as provider_region_name,
        nullif(line_item_availability_zone, '') as availability_zone,
        -- FOCUS: no SKU on Tax; SkuMeter only beside a SkuId. Commitment fees, support fees
        -- and credits come without product/sku: their usage type stays in x_UsageType.
        case when charge_category != 'Tax' then nullif(product_sku, '') end as sku_id,
        case when charge_category != 'Tax' then nullif(pricing_rate_code, '') end
            as sku_price_id,
        case
            when charge_category != 'Tax' and nullif(product_sku, '') is not null
                then nullif(line_item_usage_type, '')
        end as sku_meter,
        -- Staging hands the tags over as canonical JSON object text (keys sorted, compact:
        -- CUR 2.0 from its map, legacy CUR as ingestion folds the columns), which is what
        -- focus_tags() would rebuild them into (a quarter of the model's CPU, benchmarks.md).
        nullif(resource_tags, '{}') as tags,

        -- provenance and provider ids
        line_item_line_item_type as source_charge_type,
        nullif(line_item_usage_type, '') as usage_type,
        nullif(line_item_operation, '') as usage_operation,
        identity_line_item_id as line_item_id,
        nullif(cast(cost_category as {{ dbt.type_string() }}), '{}') as cost_categories,
        source_format,
        _source_file as source_file,
        _manifest_id as manifest_id,
        _row_number as source_row_number,
        concat(_manifest_id, '#', cast(_row_number as {{ dbt.type_string() }})) as row_id,
        _billing_period as billing_period,
        -- instance size times hours (lineItem/NormalizedUsageAmount), on usage rows only:
        -- coverage in normalized units adds across sizes of a family
        case when charge_category = 'Usage' then line_item_normalized_usage_amount end
            as normalized_usage_amount,

        -- what the Unused row below needs from a commitment fee row
        line_item_line_item_type,
        case
            when line_item_line_item_type = 'RIFee'
                then
                    coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
                    + coalesce(reservation_unused_recurring_fee, 0)
            when line_item_line_item_type = 'SavingsPlanRecurringFee' then
                savings_plan_total_commitment_to_date
                - coalesce(savings_plan_used_commitment, 0)
        end as unused_commitment_cost,
        case
            when line_item_line_item_type = 'RIFee' then reservation_unused_quantity
            when line_item_line_item_type = 'SavingsPlanRecurringFee' then
                savings_plan_total_commitment_to_date
                - coalesce(savings_plan_used_commitment, 0)
        end as unused_commitment_quantity,
        case
            when line_item_line_item_type = 'RIFee'
                then coalesce(
                    reservation_unused_normalized_unit_quantity, reservation_unused_quantity
                )
            when line_item_line_item_type = 'SavingsPlanRecurringFee' then
                savings_plan_total_commitment_to_date
                - coalesce(savings_plan_used_commitment, 0)
        end as unused_commitment_discount_quantity

    from classified

),

unused_commitments as (

    -- The part of a reservation or Savings Plan nobody used in the fee's period: a Usage
    -- row of its own, status Unused, ResourceId = the commitment (FOCUS spec, usage
    -- scenarios 2 and 3). Its cash is already on the fee row, so BilledCost 0.
    select
        billing_account_id,
        billing_account_name,
        sub_account_id,
        sub_account_name,
        billing_currency,
        billing_period_start,
        billing_period_end,
        invoice_id,
        invoice_issuer_name,
        publisher_name,
        'Usage' as charge_category,
        cast(null as {{ dbt.type_string() }}) as charge_class,
        'Usage-Based' as charge_frequency,
        'Committed' as pricing_category,
        charge_description,
        charge_period_start,
        charge_period_end,
        0 as billed_cost,
        unused_commitment_cost as effective_cost,
        -- Nothing known but the commitment's own price: list = contracted = effective.
        {{ divide_money('unused_commitment_cost', 'unused_commitment_quantity') }}
            as list_unit_price,
        unused_commitment_cost as list_cost,
        {{ divide_money('unused_commitment_cost', 'unused_commitment_quantity') }}
            as contracted_unit_price,
        unused_commitment_cost as contracted_cost,
        unused_commitment_quantity as pricing_quantity,
        case
            when commitment_discount_type = 'Savings Plan' then billing_currency
            else provider_unit
        end as provider_unit,
        commitment_id,
        commitment_discount_type,
        commitment_discount_category,
        'Unused' as commitment_discount_status,
        unused_commitment_discount_quantity as commitment_discount_quantity,
        commitment_discount_unit,
        'Amortized Charge' as amortization_class,
        commitment_id as resource_id,
        provider_service,
        product_name,
        region_id,
        provider_region_name,
        availability_zone,
        sku_id,
        sku_price_id,
        sku_meter,
        tags,
        source_charge_type,
        usage_type,
        usage_operation,
        line_item_id,
        cost_categories,
        source_format,
        source_file,
        manifest_id,
        source_row_number,
        concat(row_id, '#unused') as row_id,
        billing_period,
        cast(null as {{ money() }}) as normalized_usage_amount,
        line_item_line_item_type,
        unused_commitment_cost,
        unused_commitment_quantity,
        unused_commitment_discount_quantity

    from charges
    where
        line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee')
        and unused_commitment_cost > 0

),

focus_rows as (

    select * from charges
    union all
    select * from unused_commitments

),

final as (

    select
        focus_rows.availability_zone as AvailabilityZone,
        focus_rows.billed_cost as BilledCost,
        focus_rows.billing_account_id as BillingAccountId,
        focus_rows.billing_account_name as BillingAccountName,
        'Management Account' as BillingAccountType,
        focus_rows.billing_currency as BillingCurrency,
        focus_rows.billing_period_end as BillingPeriodEnd,
        focus_rows.billing_period_start as BillingPeriodStart,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        focus_rows.charge_category as ChargeCategory,
        focus_rows.charge_class as ChargeClass,
        focus_rows.charge_description as ChargeDescription,
        focus_rows.charge_frequency as ChargeFrequency,
        focus_rows.charge_period_end as ChargePeriodEnd,
        focus_rows.charge_period_start as ChargePeriodStart,
        focus_rows.commitment_discount_category as CommitmentDiscountCategory,
        focus_rows.commitment_id as CommitmentDiscountId,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountName,
        focus_rows.commitment_discount_quantity as CommitmentDiscountQuantity,
        focus_rows.commitment_discount_status as CommitmentDiscountStatus,
        focus_rows.commitment_discount_type as CommitmentDiscountType,
        -- FOCUS: a unit only beside a quantity.
        case
            when focus_rows.commitment_discount_quantity is not null
                then focus_rows.commitment_discount_unit
        end as CommitmentDiscountUnit,
        -- Consumption is measured on usage only, never on an Unused row or a correction.
        case
            when
                {{ consumption }}
                then focus_rows.pricing_quantity
        end as ConsumedQuantity,
        case
            when
                {{ consumption }}
                and focus_rows.pricing_quantity is not null
                then coalesce(units.consumed_unit, focus_rows.provider_unit)
        end as ConsumedUnit,
        -- Without a rate (credits, tax, corrections) the contracted and list cost are the
        -- cost itself.
        coalesce(focus_rows.contracted_cost, focus_rows.billed_cost) as ContractedCost,
        case
            when
                focus_rows.charge_category in ('Usage', 'Purchase')
                and focus_rows.charge_class is null
                and focus_rows.pricing_quantity is not null
                then coalesce(
                    focus_rows.contracted_unit_price,
                    {{ divide_money('focus_rows.contracted_cost', 'focus_rows.pricing_quantity') }}
                )
        end as ContractedUnitPrice,
        focus_rows.effective_cost as EffectiveCost,
        focus_rows.invoice_id as InvoiceId,
        focus_rows.invoice_issuer_name as InvoiceIssuerName,
        coalesce(focus_rows.list_cost, focus_rows.contracted_cost, focus_rows.billed_cost)
            as ListCost,
        case
            when
                focus_rows.charge_category in ('Usage', 'Purchase')
                and focus_rows.charge_class is null
                and focus_rows.pricing_quantity is not null
                then coalesce(
                    focus_rows.list_unit_price,
                    focus_rows.contracted_unit_price,
                    {{ divide_money('focus_rows.contracted_cost', 'focus_rows.pricing_quantity') }}
                )
        end as ListUnitPrice,
        focus_rows.pricing_category as PricingCategory,
        -- AWS prices and bills in the same currency.
        focus_rows.billing_currency as PricingCurrency,
        cast(null as {{ money() }}) as PricingCurrencyContractedUnitPrice,
        cast(null as {{ money() }}) as PricingCurrencyEffectiveCost,
        cast(null as {{ money() }}) as PricingCurrencyListUnitPrice,
        focus_rows.pricing_quantity as PricingQuantity,
        case
            when focus_rows.pricing_quantity is not null
                then coalesce(units.focus_unit, nullif(focus_rows.provider_unit, ''), 'Units')
        end as PricingUnit,
        'AWS' as ProviderName,
        focus_rows.publisher_name as PublisherName,
        focus_rows.region_id as RegionId,
        coalesce(regions.region_name, focus_rows.provider_region_name) as RegionName,
        focus_rows.resource_id as ResourceId,
        cast(null as {{ dbt.type_string() }}) as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(focus_rows.product_name, services.service_name, focus_rows.provider_service)
            as ServiceName,
        coalesce(services.service_subcategory, 'Other (Other)') as ServiceSubcategory,
        focus_rows.sku_id as SkuId,
        focus_rows.sku_meter as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        focus_rows.sku_price_id as SkuPriceId,
        focus_rows.sub_account_id as SubAccountId,
        focus_rows.sub_account_name as SubAccountName,
        'Member Account' as SubAccountType,
        focus_rows.tags as Tags,
        -- FOCUS 1.3
        focus_rows.publisher_name as ServiceProviderName,
        'AWS' as HostProviderName,
        cast(null as {{ dbt.type_string() }}) as AllocatedMethodId,
        cast(null as {{ dbt.type_string() }}) as AllocatedMethodDetails,
        cast(null as {{ dbt.type_string() }}) as AllocatedResourceId,
        cast(null as {{ dbt.type_string() }}) as AllocatedResourceName,
        cast(null as {{ dbt.type_string() }}) as AllocatedTags,
        cast(null as {{ dbt.type_string() }}) as ContractApplied,
        -- provenance and provider ids
        focus_rows.source_format as x_SourceFormat,
        focus_rows.source_file as x_SourceFile,
        focus_rows.manifest_id as x_ManifestId,
        focus_rows.source_row_number as x_SourceRowNumber,
        focus_rows.row_id as x_RowId,
        focus_rows.billing_period as x_BillingPeriod,
        focus_rows.amortization_class as x_AmortizationClass,
        focus_rows.source_charge_type as x_SourceChargeType,
        focus_rows.provider_service as x_ServiceCode,
        focus_rows.usage_type as x_UsageType,
        focus_rows.usage_operation as x_Operation,
        focus_rows.line_item_id as x_LineItemId,
        cast(null as {{ dbt.type_string() }}) as x_ResourceGroupName,
        cast(null as {{ dbt.type_string() }}) as x_BillingProfileId,
        focus_rows.cost_categories as x_CostCategories,
        cast(null as {{ dbt.type_string() }}) as x_Credits,
        focus_rows.normalized_usage_amount as x_NormalizedUsageAmount,
        -- vocabulary the seeds do not know, kept as given above (int_focus_vocabulary_gaps);
        -- not FOCUS columns: int_cost_and_usage stores them beside, the mart leaves them out.
        -- A Savings Plan's Unused row counts in its currency, which is no unit to look up.
        case
            when
                focus_rows.pricing_quantity is not null
                and units.source_unit is null
                and focus_rows.provider_unit != focus_rows.billing_currency
                then nullif(focus_rows.provider_unit, '')
        end as vocabulary_unknown_unit,
        cast(null as {{ dbt.type_string() }}) as vocabulary_unknown_consumed_unit,
        -- A Marketplace listing's product code is an opaque id per listing (its seller is the
        -- PublisherName): no seed can know it in advance, so it is not a gap.
        case
            when services.provider_service is null and focus_rows.publisher_name = 'AWS'
                then nullif(focus_rows.provider_service, '')
        end as vocabulary_unknown_service,
        case when regions.region_id is null then focus_rows.region_id end
            as vocabulary_unknown_region,
        -- the line item types the rules above name; *Discount types match by their suffix
        case
            when
                focus_rows.source_charge_type not in (
                    'Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation',
                    'Tax', 'Fee', 'RIFee', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee',
                    'Refund', 'Credit'
                )
                and focus_rows.source_charge_type not like '%Discount'
                then focus_rows.source_charge_type
        end as vocabulary_unknown_charge_type

    from focus_rows
    left join {{ ref('focus_service_mappings') }} as services
        on
            services.provider_name = 'AWS'
            and focus_rows.provider_service = services.provider_service
    left join {{ ref('focus_regions') }} as regions
        on
            regions.provider_name = 'AWS'
            and focus_rows.region_id = regions.region_id
    left join {{ ref('unit_mappings') }} as units
        on
            units.provider = 'AWS'
            and focus_rows.provider_unit = units.source_unit

)

select * from final
