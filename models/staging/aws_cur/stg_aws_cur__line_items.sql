-- AWS legacy Cost and Usage Report, one row per line item of a loaded delivery.
-- Columns take AWS's own snake_case spelling (the Athena/Parquet and CUR 2.0 names, e.g.
-- lineItem/UnblendedCost -> line_item_unblended_cost), so legacy CUR and CUR 2.0 staging
-- share one vocabulary. aws_cur_column() quotes the byte-exact CSV name on DuckDB.
-- Text as delivered; numbers -> exact decimal, timestamps -> UTC; ids stay text.
with source as (

    select * from {{ source('aws_cur', 'line_items') }}

),

renamed as (

    select
        -- identity and bill
        {{ aws_cur_column('identity/LineItemId') }} as identity_line_item_id,
        {{ aws_cur_column('identity/TimeInterval') }} as identity_time_interval,
        {{ aws_cur_column('bill/InvoiceId') }} as bill_invoice_id,
        {{ aws_cur_column('bill/InvoicingEntity') }} as bill_invoicing_entity,
        {{ aws_cur_column('bill/BillingEntity') }} as bill_billing_entity,
        {{ aws_cur_column('bill/BillType') }} as bill_bill_type,
        {{ aws_cur_column('bill/PayerAccountId') }} as bill_payer_account_id,
        {{ parse_timestamp(aws_cur_column('bill/BillingPeriodStartDate')) }}
            as bill_billing_period_start_date,
        {{ parse_timestamp(aws_cur_column('bill/BillingPeriodEndDate')) }}
            as bill_billing_period_end_date,
        -- line item
        {{ aws_cur_column('lineItem/UsageAccountId') }} as line_item_usage_account_id,
        {{ aws_cur_column('lineItem/LineItemType') }} as line_item_line_item_type,
        {{ parse_timestamp(aws_cur_column('lineItem/UsageStartDate')) }}
            as line_item_usage_start_date,
        {{ parse_timestamp(aws_cur_column('lineItem/UsageEndDate')) }} as line_item_usage_end_date,
        {{ aws_cur_column('lineItem/ProductCode') }} as line_item_product_code,
        {{ aws_cur_column('lineItem/UsageType') }} as line_item_usage_type,
        {{ aws_cur_column('lineItem/Operation') }} as line_item_operation,
        {{ aws_cur_column('lineItem/ResourceId') }} as line_item_resource_id,
        {{ aws_cur_column('lineItem/AvailabilityZone') }} as line_item_availability_zone,
        cast({{ aws_cur_column('lineItem/UsageAmount') }} as {{ money() }})
            as line_item_usage_amount,
        cast({{ aws_cur_column('lineItem/NormalizationFactor') }} as {{ money() }})
            as line_item_normalization_factor,
        cast({{ aws_cur_column('lineItem/NormalizedUsageAmount') }} as {{ money() }})
            as line_item_normalized_usage_amount,
        {{ aws_cur_column('lineItem/CurrencyCode') }} as line_item_currency_code,
        cast({{ aws_cur_column('lineItem/UnblendedRate') }} as {{ money() }})
            as line_item_unblended_rate,
        cast({{ aws_cur_column('lineItem/UnblendedCost') }} as {{ money() }})
            as line_item_unblended_cost,
        cast({{ aws_cur_column('lineItem/BlendedRate') }} as {{ money() }})
            as line_item_blended_rate,
        cast({{ aws_cur_column('lineItem/BlendedCost') }} as {{ money() }})
            as line_item_blended_cost,
        cast({{ aws_cur_column('lineItem/NetUnblendedRate') }} as {{ money() }})
            as line_item_net_unblended_rate,
        cast({{ aws_cur_column('lineItem/NetUnblendedCost') }} as {{ money() }})
            as line_item_net_unblended_cost,
        {{ aws_cur_column('lineItem/LineItemDescription') }} as line_item_line_item_description,
        {{ aws_cur_column('lineItem/TaxType') }} as line_item_tax_type,
        {{ aws_cur_column('lineItem/LegalEntity') }} as line_item_legal_entity,
        -- pricing
        cast({{ aws_cur_column('pricing/publicOnDemandRate') }} as {{ money() }})
            as pricing_public_on_demand_rate,
        cast({{ aws_cur_column('pricing/publicOnDemandCost') }} as {{ money() }})
            as pricing_public_on_demand_cost,
        {{ aws_cur_column('pricing/term') }} as pricing_term,
        {{ aws_cur_column('pricing/unit') }} as pricing_unit,
        {{ aws_cur_column('pricing/LeaseContractLength') }} as pricing_lease_contract_length,
        {{ aws_cur_column('pricing/OfferingClass') }} as pricing_offering_class,
        {{ aws_cur_column('pricing/PurchaseOption') }} as pricing_purchase_option,
        {{ aws_cur_column('pricing/RateCode') }} as pricing_rate_code,
        {{ aws_cur_column('pricing/RateId') }} as pricing_rate_id,
        {{ aws_cur_column('pricing/currency') }} as pricing_currency,
        -- product attributes
        {{ aws_cur_column('product/ProductName') }} as product_product_name,
        {{ aws_cur_column('product/servicecode') }} as product_servicecode,
        {{ aws_cur_column('product/servicename') }} as product_servicename,
        {{ aws_cur_column('product/productFamily') }} as product_product_family,
        {{ aws_cur_column('product/region') }} as product_region,
        {{ aws_cur_column('product/regionCode') }} as product_region_code,
        {{ aws_cur_column('product/location') }} as product_location,
        {{ aws_cur_column('product/locationType') }} as product_location_type,
        {{ aws_cur_column('product/fromLocation') }} as product_from_location,
        {{ aws_cur_column('product/toLocation') }} as product_to_location,
        {{ aws_cur_column('product/instanceType') }} as product_instance_type,
        {{ aws_cur_column('product/instanceFamily') }} as product_instance_family,
        {{ aws_cur_column('product/usagetype') }} as product_usagetype,
        {{ aws_cur_column('product/operation') }} as product_operation,
        {{ aws_cur_column('product/sku') }} as product_sku,
        {{ aws_cur_column('product/vcpu') }} as product_vcpu,
        {{ aws_cur_column('product/memory') }} as product_memory,
        {{ aws_cur_column('product/operatingSystem') }} as product_operating_system,
        {{ aws_cur_column('product/tenancy') }} as product_tenancy,
        {{ aws_cur_column('product/storageClass') }} as product_storage_class,
        {{ aws_cur_column('product/volumeType') }} as product_volume_type,
        -- reservation (RI)
        {{ aws_cur_column('reservation/ReservationARN') }} as reservation_reservation_a_r_n,
        cast({{ aws_cur_column('reservation/EffectiveCost') }} as {{ money() }})
            as reservation_effective_cost,
        cast({{ aws_cur_column('reservation/AmortizedUpfrontCostForUsage') }} as {{ money() }})
            as reservation_amortized_upfront_cost_for_usage,
        cast({{ aws_cur_column('reservation/RecurringFeeForUsage') }} as {{ money() }})
            as reservation_recurring_fee_for_usage,
        cast(
            {{ aws_cur_column('reservation/AmortizedUpfrontFeeForBillingPeriod') }}
            as {{ money() }}
        ) as reservation_amortized_upfront_fee_for_billing_period,
        cast(
            {{ aws_cur_column('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod') }}
            as {{ money() }}
        ) as reservation_unused_amortized_upfront_fee_for_billing_period,
        cast({{ aws_cur_column('reservation/UnusedRecurringFee') }} as {{ money() }})
            as reservation_unused_recurring_fee,
        cast({{ aws_cur_column('reservation/UnusedQuantity') }} as {{ money() }})
            as reservation_unused_quantity,
        cast({{ aws_cur_column('reservation/UnusedNormalizedUnitQuantity') }} as {{ money() }})
            as reservation_unused_normalized_unit_quantity,
        cast({{ aws_cur_column('reservation/UpfrontValue') }} as {{ money() }})
            as reservation_upfront_value,
        {{ parse_timestamp(aws_cur_column('reservation/StartTime')) }} as reservation_start_time,
        {{ parse_timestamp(aws_cur_column('reservation/EndTime')) }} as reservation_end_time,
        {{ aws_cur_column('reservation/ModificationStatus') }} as reservation_modification_status,
        cast({{ aws_cur_column('reservation/NumberOfReservations') }} as {{ money() }})
            as reservation_number_of_reservations,
        cast({{ aws_cur_column('reservation/UnitsPerReservation') }} as {{ money() }})
            as reservation_units_per_reservation,
        cast({{ aws_cur_column('reservation/TotalReservedUnits') }} as {{ money() }})
            as reservation_total_reserved_units,
        cast({{ aws_cur_column('reservation/NormalizedUnitsPerReservation') }} as {{ money() }})
            as reservation_normalized_units_per_reservation,
        cast({{ aws_cur_column('reservation/TotalReservedNormalizedUnits') }} as {{ money() }})
            as reservation_total_reserved_normalized_units,
        {{ aws_cur_column('reservation/SubscriptionId') }} as reservation_subscription_id,
        {{ aws_cur_column('reservation/AvailabilityZone') }} as reservation_availability_zone,
        cast({{ aws_cur_column('reservation/NetEffectiveCost') }} as {{ money() }})
            as reservation_net_effective_cost,
        cast({{ aws_cur_column('reservation/NetAmortizedUpfrontCostForUsage') }} as {{ money() }})
            as reservation_net_amortized_upfront_cost_for_usage,
        cast(
            {{ aws_cur_column('reservation/NetAmortizedUpfrontFeeForBillingPeriod') }}
            as {{ money() }}
        ) as reservation_net_amortized_upfront_fee_for_billing_period,
        cast({{ aws_cur_column('reservation/NetRecurringFeeForUsage') }} as {{ money() }})
            as reservation_net_recurring_fee_for_usage,
        cast(
            {{ aws_cur_column('reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod') }}
            as {{ money() }}
        ) as reservation_net_unused_amortized_upfront_fee_for_billing_period,
        cast({{ aws_cur_column('reservation/NetUnusedRecurringFee') }} as {{ money() }})
            as reservation_net_unused_recurring_fee,
        cast({{ aws_cur_column('reservation/NetUpfrontValue') }} as {{ money() }})
            as reservation_net_upfront_value,
        -- savings plan
        {{ aws_cur_column('savingsPlan/SavingsPlanARN') }} as savings_plan_savings_plan_a_r_n,
        cast({{ aws_cur_column('savingsPlan/SavingsPlanEffectiveCost') }} as {{ money() }})
            as savings_plan_savings_plan_effective_cost,
        cast({{ aws_cur_column('savingsPlan/SavingsPlanRate') }} as {{ money() }})
            as savings_plan_savings_plan_rate,
        cast({{ aws_cur_column('savingsPlan/TotalCommitmentToDate') }} as {{ money() }})
            as savings_plan_total_commitment_to_date,
        cast({{ aws_cur_column('savingsPlan/UsedCommitment') }} as {{ money() }})
            as savings_plan_used_commitment,
        cast(
            {{ aws_cur_column('savingsPlan/RecurringCommitmentForBillingPeriod') }}
            as {{ money() }}
        ) as savings_plan_recurring_commitment_for_billing_period,
        cast(
            {{ aws_cur_column('savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod') }}
            as {{ money() }}
        ) as savings_plan_amortized_upfront_commitment_for_billing_period,
        {{ aws_cur_column('savingsPlan/OfferingType') }} as savings_plan_offering_type,
        {{ aws_cur_column('savingsPlan/PaymentOption') }} as savings_plan_payment_option,
        {{ aws_cur_column('savingsPlan/PurchaseTerm') }} as savings_plan_purchase_term,
        {{ aws_cur_column('savingsPlan/Region') }} as savings_plan_region,
        {{ aws_cur_column('savingsPlan/InstanceTypeFamily') }} as savings_plan_instance_type_family,
        {{ parse_timestamp(aws_cur_column('savingsPlan/StartTime')) }} as savings_plan_start_time,
        {{ parse_timestamp(aws_cur_column('savingsPlan/EndTime')) }} as savings_plan_end_time,
        cast({{ aws_cur_column('savingsPlan/NetSavingsPlanEffectiveCost') }} as {{ money() }})
            as savings_plan_net_savings_plan_effective_cost,
        cast(
            {{ aws_cur_column('savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod') }}
            as {{ money() }}
        ) as savings_plan_net_amortized_upfront_commitment_for_billing_period,
        cast(
            {{ aws_cur_column('savingsPlan/NetRecurringCommitmentForBillingPeriod') }}
            as {{ money() }}
        ) as savings_plan_net_recurring_commitment_for_billing_period,
        -- discounts
        cast({{ aws_cur_column('discount/TotalDiscount') }} as {{ money() }})
            as discount_total_discount,
        cast({{ aws_cur_column('discount/BundledDiscount') }} as {{ money() }})
            as discount_bundled_discount,
        -- resource tags and cost categories: JSON objects folded at ingest
        cast({{ aws_cur_column('resourceTags') }} as {{ dbt.type_string() }}) as resource_tags,
        cast({{ aws_cur_column('costCategory') }} as {{ dbt.type_string() }}) as cost_category,
        -- ingestion metadata, names kept from raw (docs/dbt.md)
        _manifest_id,
        _source_file,
        _row_number,
        _billing_account_id,
        _billing_period,
        _provider,
        _delivery_id,
        _loaded_at

    from source

)

select * from renamed
