-- Azure cost details (EA or MCA) -> FOCUS 1.2, merging the two exports the way Microsoft
-- documents it (FinOps toolkit, "convert to FOCUS"):
--   * commitment purchases and refunds from the actual cost: the cash, on the day it was paid;
--   * everything else from the amortized cost: usage with its share of the commitment cost,
--     and the UnusedReservation / UnusedSavingsPlan rows.
-- One FOCUS row per kept source row. A billing period delivered only as actual cost is
-- taken whole from the actual export (cash right, commitments not amortized).
{#- A block-priced unit ("100 GB/Month") is priced per base unit when FOCUS has no unit for
    the block ("100 GB-Months" is none): the seed then gives the base unit as the FOCUS unit,
    and quantity and unit prices scale by the block size (costs do not change). -#}
{%- set price_scale -%}
    case
        when units.focus_unit = units.consumed_unit and units.block_size > 1
            then cast(units.block_size as {{ money() }})
        else 1
    end
{%- endset %}

with actual as (

    select * from {{ ref('stg_azure__actual_cost') }}

),

amortized as {{ not_materialized() }} (

    select * from {{ ref('stg_azure__amortized_cost') }}

),

amortized_periods as (

    select distinct
        _billing_account_id,
        _billing_period
    from amortized

),

actual_kept as (

    select
        'azure_actual' as source_format,
        amortized_periods._billing_period is not null as is_amortized_period,
        actual.*
    from actual
    left join amortized_periods
        on
            actual._billing_account_id = amortized_periods._billing_account_id
            and actual._billing_period = amortized_periods._billing_period
    where
        -- The amortized export spreads commitment purchases over the usage they cover, so
        -- their cash (and refunds of it) only exists in the actual export.
        (
            actual.charge_type in ('Purchase', 'Refund')
            and actual.pricing_model in ('Reservation', 'SavingsPlan')
        )
        or amortized_periods._billing_period is null

),

line_items as {{ not_materialized() }} (

    select * from actual_kept
    union all
    select
        'azure_amortized' as source_format,
        true as is_amortized_period,
        amortized.*
    from amortized

),

commitments as {{ not_materialized() }} (

    -- The commitment behind each row. ARM ids are case-insensitive and Azure spells them
    -- in both cases across rows, so they are compared and kept lower-cased (as Microsoft's
    -- FinOps toolkit does).
    select
        *,
        lower(nullif(trim(benefit_id), '')) as benefit,
        case
            when strpos(lower(benefit_id), '/reservations/') > 0
                then left(lower(benefit_id), strpos(lower(benefit_id), '/reservations/') - 1)
        end as reservation_order
    from line_items

),

reservations_by_order as (

    -- A reservation purchase row names only its order (benefitId ends in
    -- ".../reservations/"); the usage it covers names the reservation. An order that holds
    -- one reservation gives its purchase that reservation's id, so purchase and usage meet
    -- on one CommitmentDiscountId.
    select
        reservation_order,
        min(benefit) as reservation,
        min(meter_category) as meter_category,
        count(distinct benefit) as reservations
    from commitments
    where
        reservation_order is not null
        and benefit not like '%/reservations/'
    group by reservation_order

),

classified as (

    select
        commitments.*,
        case
            when commitments.benefit like '%/reservations/'
                then
                    case
                        when reservations_by_order.reservations = 1
                            then reservations_by_order.reservation
                        else commitments.reservation_order
                    end
            when commitments.benefit is not null then commitments.benefit
            when commitments.pricing_model in ('Reservation', 'SavingsPlan')
                then lower(nullif(trim(commitments.reservation_id), ''))
        end as commitment_id,
        case
            when commitments.benefit like '%/microsoft.capacity/%' then 'Reservation'
            when commitments.benefit like '%/microsoft.billingbenefits/%' then 'Savings Plan'
            when
                commitments.pricing_model = 'Reservation'
                or commitments.charge_type = 'UnusedReservation' then 'Reservation'
            when
                commitments.pricing_model = 'SavingsPlan'
                or commitments.charge_type = 'UnusedSavingsPlan' then 'Savings Plan'
        end as commitment_type,
        reservations_by_order.meter_category as purchased_meter_category,
        case
            when commitments.charge_type in ('Usage', 'UnusedReservation', 'UnusedSavingsPlan')
                then 'Usage'
            -- FOCUS has no Refund category: a refund is a negative purchase, corrected below.
            when commitments.charge_type in ('Purchase', 'Refund') then 'Purchase'
            when commitments.charge_type = 'Tax' then 'Tax'
            when commitments.charge_type = 'Credit' then 'Credit'
            else 'Adjustment'
        end as charge_category,
        commitments.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') as is_unused,
        -- Usage a reservation or savings plan paid for: cash 0, amortized cost in the
        -- amortized export's cost column.
        commitments.charge_type = 'Usage'
        and commitments.pricing_model in ('Reservation', 'SavingsPlan') as is_covered,
        -- A commitment purchase (or its refund) whose cost the amortized export carries.
        commitments.source_format = 'azure_actual'
        and commitments.is_amortized_period
        and commitments.charge_type in ('Purchase', 'Refund')
        and commitments.pricing_model in ('Reservation', 'SavingsPlan') as is_amortized_purchase,
        -- MCA prices are in the pricing currency, costs in the billing currency (EA: one
        -- currency, no rate).
        coalesce(commitments.exchange_rate_pricing_to_billing, 1) as exchange_rate,
        -- PayGPrice is 0 on commitment rows: the negotiated unit price is the best list
        -- price there is.
        coalesce(nullif(commitments.payg_price, 0), commitments.unit_price) as list_price,
        coalesce(
            {{ dbt.safe_cast('commitments.term', dbt.type_bigint()) }},
            case lower(replace(commitments.term, ' ', ''))
                when '1year' then 12
                when '3years' then 36
                when '5years' then 60
            end
        ) as term_months
    from commitments
    left join reservations_by_order
        on commitments.reservation_order = reservations_by_order.reservation_order

),

priced as (

    select
        *,
        case
            when charge_type = 'Refund' then 'Correction'
        end as charge_class,
        case
            when charge_category not in ('Usage', 'Purchase') then null
            when is_unused or is_covered then 'Committed'
            when charge_category = 'Usage' and pricing_model = 'Spot' then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        case
            when charge_category = 'Usage' then 'Usage-Based'
            when frequency = 'OneTime' then 'One-Time'
            when frequency = 'Recurring' then 'Recurring'
            when frequency = 'UsageBased' then 'Usage-Based'
            when charge_category = 'Purchase' then 'One-Time'
            when charge_category = 'Tax' then 'Recurring'
            else 'Usage-Based'
        end as charge_frequency,
        case
            -- The cash of covered usage and of unused commitment is on the purchase.
            when is_unused or is_covered then 0
            else cost_in_billing_currency
        end as billed_cost,
        case
            -- Amortized: the purchase reaches EffectiveCost through the usage it covers.
            when is_amortized_purchase then 0
            else cost_in_billing_currency
        end as effective_cost,
        -- EffectiveCost in the pricing currency (FOCUS: never NULL). MCA gives it as
        -- costInPricingCurrency; EA prices in the billing currency; an MCA row without it
        -- converts back at its own exchangeRatePricingToBilling. No rate, no value: a
        -- missing rate is never taken as 1:1.
        case
            when is_amortized_purchase then 0
            when cost_in_pricing_currency is not null then cost_in_pricing_currency
            when
                coalesce(nullif(pricing_currency, ''), billing_currency_code)
                = billing_currency_code
                then cost_in_billing_currency
            when exchange_rate_pricing_to_billing != 0
                then {{ divide_money(
                    'cost_in_billing_currency', 'exchange_rate_pricing_to_billing'
                ) }}
        end as pricing_currency_effective_cost,
        case when charge_category in ('Usage', 'Purchase') then quantity end as pricing_quantity,
        -- Unit prices in the billing currency, kept at money's 10 decimals so that
        -- ListCost = ListUnitPrice x PricingQuantity holds exactly for what is published.
        case
            when charge_category in ('Usage', 'Purchase')
                then cast(list_price * exchange_rate as {{ money() }})
        end as list_unit_price,
        case
            when charge_category in ('Usage', 'Purchase')
                then cast(unit_price * exchange_rate as {{ money() }})
        end as contracted_unit_price,
        case
            when charge_category = 'Usage' and is_unused then 'Unused'
            when charge_category = 'Usage' and is_covered then 'Used'
        end as commitment_status,
        case
            when is_amortized_purchase then 'Principal'
            -- Only the amortized export puts commitment cost on usage: a period delivered
            -- as actual cost alone has covered usage at 0 and nothing amortized.
            when (is_unused or is_covered) and is_amortized_period then 'Amortized Charge'
        end as amortization_class,
        cast(usage_date as {{ dbt.type_timestamp() }}) as charge_period_start,
        case
            -- An upfront commitment payment covers the term: its charge period is the term
            -- (FOCUS spec, commitment purchase scenario 1). Cost details dates are whole days.
            when
                charge_category = 'Purchase' and frequency = 'OneTime'
                and commitment_type is not null and term_months is not null
                then cast(
                    {{ dbt.dateadd('month', 'term_months', 'usage_date') }}
                    as {{ dbt.type_timestamp() }}
                )
            else cast({{ dbt.dateadd('day', 1, 'usage_date') }} as {{ dbt.type_timestamp() }})
        end as charge_period_end
    from classified

),

charges as (

    -- What the row buys, uses or leaves unused of its commitment, and its SKU.
    select
        *,
        case
            when commitment_status is not null and commitment_type = 'Reservation'
                then quantity
            when commitment_status is not null and commitment_type = 'Savings Plan'
                then effective_cost
            -- Purchases (not refunds: corrections may go without): a savings plan buys the
            -- amount paid; a one-time reservation purchase buys its reservations for the
            -- term, which is its charge period. A recurring reservation payment states the
            -- number of reservations, not the hours it pays for: no quantity, and no unit.
            when charge_type = 'Purchase' and commitment_type = 'Savings Plan'
                then cost_in_billing_currency
            when
                charge_type = 'Purchase' and commitment_type = 'Reservation'
                and frequency = 'OneTime' and term_months is not null
                then quantity * {{ dbt.datediff(
                    'charge_period_start', 'charge_period_end', 'hour'
                ) }}
        end as commitment_quantity,
        -- FOCUS: no SKU on Tax. MCA names the product (ProductId), EA its part number.
        case
            when charge_category != 'Tax'
                then coalesce(nullif(product_id, ''), nullif(part_number, ''))
        end as sku_id
    from priced

),

final as (

    select
        nullif(charges.availability_zone, '') as AvailabilityZone,
        charges.billed_cost as BilledCost,
        charges.billing_account_id as BillingAccountId,
        charges.billing_account_name as BillingAccountName,
        'Billing Account' as BillingAccountType,
        charges.billing_currency_code as BillingCurrency,
        -- Azure periods end on their last day (inclusive); FOCUS ends are exclusive.
        cast(
            coalesce(
                {{ dbt.dateadd('day', 1, 'charges.billing_period_end_date') }},
                {{ dbt.dateadd('month', 1, 'charges._billing_period') }}
            ) as {{ dbt.type_timestamp() }}
        ) as BillingPeriodEnd,
        cast(
            coalesce(charges.billing_period_start_date, charges._billing_period)
            as {{ dbt.type_timestamp() }}
        ) as BillingPeriodStart,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        charges.charge_category as ChargeCategory,
        charges.charge_class as ChargeClass,
        -- Older and partner column sets lack the product name: the meter says what it was.
        coalesce(
            nullif(charges.product_name, ''),
            nullif(charges.meter_name, ''),
            nullif(charges.meter_category, '')
        ) as ChargeDescription,
        charges.charge_frequency as ChargeFrequency,
        charges.charge_period_end as ChargePeriodEnd,
        charges.charge_period_start as ChargePeriodStart,
        case
            when charges.commitment_type = 'Reservation' then 'Usage'
            when charges.commitment_type = 'Savings Plan' then 'Spend'
        end as CommitmentDiscountCategory,
        charges.commitment_id as CommitmentDiscountId,
        case
            when charges.commitment_id is not null
                then coalesce(
                    nullif(charges.benefit_name, ''), nullif(charges.reservation_name, '')
                )
        end as CommitmentDiscountName,
        charges.commitment_quantity as CommitmentDiscountQuantity,
        charges.commitment_status as CommitmentDiscountStatus,
        charges.commitment_type as CommitmentDiscountType,
        -- FOCUS: a unit only beside a quantity.
        case
            when charges.commitment_quantity is null then null
            when charges.commitment_type = 'Reservation' then 'Hours'
            when charges.commitment_type = 'Savings Plan' then charges.billing_currency_code
        end as CommitmentDiscountUnit,
        -- Consumption: usage only, never an Unused row. Quantities are in blocks of the unit
        -- of measure ("10K" = 10,000 units).
        case
            when charges.charge_category = 'Usage' and not charges.is_unused
                then cast(
                    charges.quantity * coalesce(cast(units.block_size as {{ money() }}), 1)
                    as {{ money() }}
                )
        end as ConsumedQuantity,
        case
            when charges.charge_category = 'Usage' and not charges.is_unused
                -- A row without a unit of measure still counts something (as PricingUnit).
                then coalesce(units.consumed_unit, nullif(charges.unit_of_measure, ''), 'Units')
        end as ConsumedUnit,
        coalesce(
            cast(charges.contracted_unit_price * charges.pricing_quantity as {{ money() }}),
            charges.billed_cost
        ) as ContractedCost,
        {{ divide_money('charges.contracted_unit_price', price_scale) }} as ContractedUnitPrice,
        charges.effective_cost as EffectiveCost,
        nullif(charges.invoice_id, '') as InvoiceId,
        coalesce(nullif(charges.reseller_name, ''), 'Microsoft') as InvoiceIssuerName,
        coalesce(
            cast(charges.list_unit_price * charges.pricing_quantity as {{ money() }}),
            charges.billed_cost
        ) as ListCost,
        {{ divide_money('charges.list_unit_price', price_scale) }} as ListUnitPrice,
        charges.pricing_category as PricingCategory,
        coalesce(nullif(charges.pricing_currency, ''), charges.billing_currency_code)
            as PricingCurrency,
        case
            when charges.charge_category in ('Usage', 'Purchase')
                then {{ divide_money('charges.unit_price', price_scale) }}
        end as PricingCurrencyContractedUnitPrice,
        charges.pricing_currency_effective_cost as PricingCurrencyEffectiveCost,
        case
            when charges.charge_category in ('Usage', 'Purchase')
                then {{ divide_money('charges.list_price', price_scale) }}
        end as PricingCurrencyListUnitPrice,
        cast(charges.pricing_quantity * {{ price_scale }} as {{ money() }}) as PricingQuantity,
        case
            when charges.pricing_quantity is not null
                then coalesce(units.focus_unit, nullif(charges.unit_of_measure, ''), 'Units')
        end as PricingUnit,
        'Microsoft' as ProviderName,
        coalesce(nullif(charges.publisher_name, ''), 'Microsoft') as PublisherName,
        lower(coalesce(
            nullif(charges.resource_location_normalized, ''),
            nullif(charges.resource_location, '')
        )) as RegionId,
        coalesce(regions.region_name, nullif(charges.resource_location, '')) as RegionName,
        -- A commitment's purchase and unused rows are about the commitment itself.
        case
            when
                charges.is_unused
                or (charges.charge_category = 'Purchase' and charges.commitment_id is not null)
                then charges.commitment_id
            else lower(nullif(charges.resource_id, ''))
        end as ResourceId,
        case
            when
                charges.is_unused
                or (charges.charge_category = 'Purchase' and charges.commitment_id is not null)
                then coalesce(
                    nullif(charges.benefit_name, ''), nullif(charges.reservation_name, '')
                )
            -- MCA has no ResourceName: the last segment of the ARM id is the name.
            else coalesce(
                nullif(charges.resource_name, ''),
                nullif({{ dbt.split_part('charges.resource_id', "'/'", -1) }}, '')
            )
        end as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(
            nullif(charges.meter_category, ''),
            charges.purchased_meter_category,
            nullif(charges.consumed_service, ''),
            'Microsoft Azure'
        ) as ServiceName,
        coalesce(services.service_subcategory, 'Other (Other)') as ServiceSubcategory,
        charges.sku_id as SkuId,
        -- FOCUS: SkuMeter beside every SkuId, and only there. A reservation purchase has a
        -- product but no meter: its product name ("Reserved VM Instance, Standard_D4s_v5,
        -- EU West, 1 Year") says what the SKU meters.
        case
            when charges.sku_id is not null
                then coalesce(nullif(charges.meter_name, ''), nullif(charges.product_name, ''))
        end as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        case when charges.charge_category != 'Tax' then nullif(charges.meter_id, '') end
            as SkuPriceId,
        charges.subscription_id as SubAccountId,
        charges.subscription_name as SubAccountName,
        'Subscription' as SubAccountType,
        {{ focus_tags(['charges.tags']) }} as Tags,
        -- FOCUS 1.3
        coalesce(nullif(charges.publisher_name, ''), 'Microsoft') as ServiceProviderName,
        'Microsoft' as HostProviderName,
        cast(null as {{ dbt.type_string() }}) as AllocatedMethodId,
        cast(null as {{ dbt.type_string() }}) as AllocatedMethodDetails,
        cast(null as {{ dbt.type_string() }}) as AllocatedResourceId,
        cast(null as {{ dbt.type_string() }}) as AllocatedResourceName,
        cast(null as {{ dbt.type_string() }}) as AllocatedTags,
        cast(null as {{ dbt.type_string() }}) as ContractApplied,
        -- provenance and provider ids
        charges.source_format as x_SourceFormat,
        charges._source_file as x_SourceFile,
        charges._manifest_id as x_ManifestId,
        charges._row_number as x_SourceRowNumber,
        concat(charges._manifest_id, '#', cast(charges._row_number as {{ dbt.type_string() }}))
            as x_RowId,
        charges._billing_period as x_BillingPeriod,
        charges.amortization_class as x_AmortizationClass,
        charges.charge_type as x_SourceChargeType,
        nullif(charges.consumed_service, '') as x_ServiceCode,
        cast(null as {{ dbt.type_string() }}) as x_UsageType,
        cast(null as {{ dbt.type_string() }}) as x_Operation,
        cast(null as {{ dbt.type_string() }}) as x_LineItemId,
        nullif(charges.resource_group, '') as x_ResourceGroupName,
        nullif(charges.billing_profile_id, '') as x_BillingProfileId,
        cast(null as {{ dbt.type_string() }}) as x_CostCategories,
        cast(null as {{ dbt.type_string() }}) as x_Credits,
        cast(null as {{ money() }}) as x_NormalizedUsageAmount,
        -- vocabulary the seeds do not know, kept as given above (int_focus_vocabulary_gaps);
        -- not FOCUS columns: int_cost_and_usage stores them beside, the mart leaves them out.
        case
            when charges.pricing_quantity is not null and units.source_unit is null
                then nullif(charges.unit_of_measure, '')
        end as vocabulary_unknown_unit,
        cast(null as {{ dbt.type_string() }}) as vocabulary_unknown_consumed_unit,
        case
            when services.provider_service is null
                then coalesce(
                    nullif(charges.meter_category, ''), charges.purchased_meter_category
                )
        end as vocabulary_unknown_service,
        case
            when regions.region_id is null
                then lower(coalesce(
                    nullif(charges.resource_location_normalized, ''),
                    nullif(charges.resource_location, '')
                ))
        end as vocabulary_unknown_region,
        -- RoundingAdjustment is documented and meant as an Adjustment; anything else the
        -- classification above does not name fell to Adjustment unseen.
        case
            when
                charges.charge_type not in (
                    'Usage', 'UnusedReservation', 'UnusedSavingsPlan', 'Purchase', 'Refund', 'Tax',
                    'Credit', 'RoundingAdjustment'
                )
                then charges.charge_type
        end as vocabulary_unknown_charge_type

    from charges
    left join {{ ref('focus_service_mappings') }} as services
        on
            services.provider_name = 'Microsoft'
            and services.provider_service = coalesce(
                nullif(charges.meter_category, ''), charges.purchased_meter_category
            )
    left join {{ ref('focus_regions') }} as regions
        on
            regions.provider_name = 'Microsoft'
            and regions.region_id = lower(coalesce(
                nullif(charges.resource_location_normalized, ''),
                nullif(charges.resource_location, '')
            ))
    left join {{ ref('unit_mappings') }} as units
        on
            units.provider = 'Microsoft'
            and charges.unit_of_measure = units.source_unit

)

select * from final
