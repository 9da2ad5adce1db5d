-- AWS CUR 2.0 Data Export, one row per line item of a loaded delivery.
-- Names are AWS's own (already snake_case) and match stg_aws_cur__line_items.
-- Parquet types are kept; money and rates (rates are text in CUR 2.0) -> exact decimal,
-- timestamps -> UTC, map columns -> one JSON object text each (keys sorted).
with source as (

    select * from {{ source('aws_cur2', 'line_items') }}

),

renamed as (

    select
        -- bill
        bill_bill_type,
        bill_billing_entity,
        {{ parse_timestamp('bill_billing_period_end_date') }} as bill_billing_period_end_date,
        {{ parse_timestamp('bill_billing_period_start_date') }} as bill_billing_period_start_date,
        bill_invoice_id,
        bill_invoicing_entity,
        bill_payer_account_id,
        bill_payer_account_name,
        -- identity
        identity_line_item_id,
        identity_time_interval,
        -- line item
        line_item_availability_zone,
        cast(line_item_blended_cost as {{ money() }}) as line_item_blended_cost,
        cast(line_item_blended_rate as {{ money() }}) as line_item_blended_rate,
        line_item_currency_code,
        line_item_legal_entity,
        line_item_line_item_description,
        line_item_line_item_type,
        cast(line_item_net_unblended_cost as {{ money() }}) as line_item_net_unblended_cost,
        cast(line_item_net_unblended_rate as {{ money() }}) as line_item_net_unblended_rate,
        cast(line_item_normalization_factor as {{ money() }}) as line_item_normalization_factor,
        cast(line_item_normalized_usage_amount as {{ money() }})
            as line_item_normalized_usage_amount,
        line_item_operation,
        line_item_product_code,
        line_item_resource_id,
        line_item_tax_type,
        cast(line_item_unblended_cost as {{ money() }}) as line_item_unblended_cost,
        cast(line_item_unblended_rate as {{ money() }}) as line_item_unblended_rate,
        line_item_usage_account_id,
        line_item_usage_account_name,
        cast(line_item_usage_amount as {{ money() }}) as line_item_usage_amount,
        {{ parse_timestamp('line_item_usage_end_date') }} as line_item_usage_end_date,
        {{ parse_timestamp('line_item_usage_start_date') }} as line_item_usage_start_date,
        line_item_usage_type,
        line_item_iam_principal,
        -- pricing
        pricing_currency,
        pricing_lease_contract_length,
        pricing_offering_class,
        cast(pricing_public_on_demand_cost as {{ money() }}) as pricing_public_on_demand_cost,
        cast(pricing_public_on_demand_rate as {{ money() }}) as pricing_public_on_demand_rate,
        pricing_purchase_option,
        pricing_rate_code,
        pricing_rate_id,
        pricing_term,
        pricing_unit,
        -- product attributes
        product_comment,
        product_fee_code,
        product_fee_description,
        product_from_location,
        product_from_location_type,
        product_from_region_code,
        product_instance_family,
        product_instance_type,
        product_instancesku,
        product_location,
        product_location_type,
        product_operation,
        product_pricing_unit,
        product_product_family,
        product_region_code,
        product_servicecode,
        product_sku,
        product_to_location,
        product_to_location_type,
        product_to_region_code,
        product_usagetype,
        -- reservation (RI)
        cast(reservation_amortized_upfront_cost_for_usage as {{ money() }})
            as reservation_amortized_upfront_cost_for_usage,
        cast(reservation_amortized_upfront_fee_for_billing_period as {{ money() }})
            as reservation_amortized_upfront_fee_for_billing_period,
        reservation_availability_zone,
        cast(reservation_effective_cost as {{ money() }}) as reservation_effective_cost,
        {{ parse_timestamp('reservation_end_time') }} as reservation_end_time,
        reservation_modification_status,
        cast(reservation_net_amortized_upfront_cost_for_usage as {{ money() }})
            as reservation_net_amortized_upfront_cost_for_usage,
        cast(reservation_net_amortized_upfront_fee_for_billing_period as {{ money() }})
            as reservation_net_amortized_upfront_fee_for_billing_period,
        cast(reservation_net_effective_cost as {{ money() }}) as reservation_net_effective_cost,
        cast(reservation_net_recurring_fee_for_usage as {{ money() }})
            as reservation_net_recurring_fee_for_usage,
        cast(reservation_net_unused_amortized_upfront_fee_for_billing_period as {{ money() }})
            as reservation_net_unused_amortized_upfront_fee_for_billing_period,
        cast(reservation_net_unused_recurring_fee as {{ money() }})
            as reservation_net_unused_recurring_fee,
        cast(reservation_net_upfront_value as {{ money() }}) as reservation_net_upfront_value,
        cast(reservation_normalized_units_per_reservation as {{ money() }})
            as reservation_normalized_units_per_reservation,
        cast(reservation_number_of_reservations as {{ money() }})
            as reservation_number_of_reservations,
        cast(reservation_recurring_fee_for_usage as {{ money() }})
            as reservation_recurring_fee_for_usage,
        reservation_reservation_a_r_n,
        {{ parse_timestamp('reservation_start_time') }} as reservation_start_time,
        reservation_subscription_id,
        cast(reservation_total_reserved_normalized_units as {{ money() }})
            as reservation_total_reserved_normalized_units,
        cast(reservation_total_reserved_units as {{ money() }}) as reservation_total_reserved_units,
        cast(reservation_units_per_reservation as {{ money() }})
            as reservation_units_per_reservation,
        cast(reservation_unused_amortized_upfront_fee_for_billing_period as {{ money() }})
            as reservation_unused_amortized_upfront_fee_for_billing_period,
        cast(reservation_unused_normalized_unit_quantity as {{ money() }})
            as reservation_unused_normalized_unit_quantity,
        cast(reservation_unused_quantity as {{ money() }}) as reservation_unused_quantity,
        cast(reservation_unused_recurring_fee as {{ money() }}) as reservation_unused_recurring_fee,
        cast(reservation_upfront_value as {{ money() }}) as reservation_upfront_value,
        -- savings plan
        cast(savings_plan_amortized_upfront_commitment_for_billing_period as {{ money() }})
            as savings_plan_amortized_upfront_commitment_for_billing_period,
        {{ parse_timestamp('savings_plan_end_time') }} as savings_plan_end_time,
        savings_plan_instance_type_family,
        cast(savings_plan_net_amortized_upfront_commitment_for_billing_period as {{ money() }})
            as savings_plan_net_amortized_upfront_commitment_for_billing_period,
        cast(savings_plan_net_recurring_commitment_for_billing_period as {{ money() }})
            as savings_plan_net_recurring_commitment_for_billing_period,
        cast(savings_plan_net_savings_plan_effective_cost as {{ money() }})
            as savings_plan_net_savings_plan_effective_cost,
        savings_plan_offering_type,
        savings_plan_payment_option,
        savings_plan_purchase_term,
        cast(savings_plan_recurring_commitment_for_billing_period as {{ money() }})
            as savings_plan_recurring_commitment_for_billing_period,
        savings_plan_region,
        savings_plan_savings_plan_a_r_n,
        cast(savings_plan_savings_plan_effective_cost as {{ money() }})
            as savings_plan_savings_plan_effective_cost,
        cast(savings_plan_savings_plan_rate as {{ money() }}) as savings_plan_savings_plan_rate,
        {{ parse_timestamp('savings_plan_start_time') }} as savings_plan_start_time,
        cast(savings_plan_total_commitment_to_date as {{ money() }})
            as savings_plan_total_commitment_to_date,
        cast(savings_plan_used_commitment as {{ money() }}) as savings_plan_used_commitment,
        -- split cost allocation
        cast(split_line_item_actual_usage as {{ money() }}) as split_line_item_actual_usage,
        cast(split_line_item_net_split_cost as {{ money() }}) as split_line_item_net_split_cost,
        cast(split_line_item_net_unused_cost as {{ money() }}) as split_line_item_net_unused_cost,
        split_line_item_parent_resource_id,
        cast(split_line_item_public_on_demand_split_cost as {{ money() }})
            as split_line_item_public_on_demand_split_cost,
        cast(split_line_item_public_on_demand_unused_cost as {{ money() }})
            as split_line_item_public_on_demand_unused_cost,
        cast(split_line_item_reserved_usage as {{ money() }}) as split_line_item_reserved_usage,
        cast(split_line_item_split_cost as {{ money() }}) as split_line_item_split_cost,
        cast(split_line_item_split_usage as {{ money() }}) as split_line_item_split_usage,
        cast(split_line_item_split_usage_ratio as {{ money() }})
            as split_line_item_split_usage_ratio,
        cast(split_line_item_unused_cost as {{ money() }}) as split_line_item_unused_cost,
        -- discounts
        cast(discount_bundled_discount as {{ money() }}) as discount_bundled_discount,
        cast(discount_total_discount as {{ money() }}) as discount_total_discount,
        -- maps (product attributes, cost categories, discounts, tags): JSON object text
        {{ json_object_from_map('product') }} as product,
        {{ json_object_from_map('cost_category') }} as cost_category,
        {{ json_object_from_map('discount') }} as discount,
        {{ json_object_from_map('resource_tags') }} as resource_tags,
        {{ json_object_from_map('tags') }} as tags,
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
