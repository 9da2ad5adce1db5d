-- AWS line items of both report formats in one column set: the legacy Cost and Usage Report
-- and the CUR 2.0 Data Export. Both stagings speak AWS's snake_case vocabulary; the few
-- differences between the formats are settled here, and only here, so int_aws__focus holds
-- one set of FOCUS rules for both. The two CTEs list the same columns in the same order
-- (union all matches by position).
with cur as (

    select
        'aws_cur' as source_format,
        -- identity, bill and line item
        identity_line_item_id,
        bill_invoice_id,
        bill_invoicing_entity,
        bill_billing_entity,
        bill_bill_type,
        bill_payer_account_id,
        -- account names are new in CUR 2.0; the legacy report has none (int_aws__focus lets
        -- the ids stand in)
        cast(null as {{ dbt.type_string() }}) as bill_payer_account_name,
        bill_billing_period_start_date,
        bill_billing_period_end_date,
        line_item_usage_account_id,
        cast(null as {{ dbt.type_string() }}) as line_item_usage_account_name,
        line_item_line_item_type,
        line_item_usage_start_date,
        line_item_usage_end_date,
        line_item_product_code,
        line_item_usage_type,
        line_item_operation,
        line_item_resource_id,
        line_item_availability_zone,
        line_item_usage_amount,
        line_item_normalized_usage_amount,
        line_item_currency_code,
        line_item_unblended_rate,
        line_item_unblended_cost,
        line_item_line_item_description,
        line_item_legal_entity,
        -- pricing and product
        pricing_public_on_demand_rate,
        pricing_public_on_demand_cost,
        pricing_term,
        pricing_unit,
        pricing_rate_code,
        product_product_name,
        -- product/regionCode where the report has it, else product/region (also a code)
        coalesce(product_region_code, product_region) as product_region_code,
        product_location,
        product_sku,
        -- reservation (RI)
        reservation_reservation_a_r_n,
        reservation_effective_cost,
        reservation_unused_amortized_upfront_fee_for_billing_period,
        reservation_unused_recurring_fee,
        reservation_unused_quantity,
        reservation_unused_normalized_unit_quantity,
        reservation_total_reserved_normalized_units,
        reservation_total_reserved_units,
        reservation_number_of_reservations,
        reservation_start_time,
        reservation_end_time,
        -- savings plan
        savings_plan_savings_plan_a_r_n,
        savings_plan_savings_plan_effective_cost,
        savings_plan_total_commitment_to_date,
        savings_plan_used_commitment,
        savings_plan_start_time,
        savings_plan_end_time,
        -- tags and cost categories (JSON object text, folded at ingest)
        resource_tags,
        cost_category,
        -- ingestion metadata
        _manifest_id,
        _source_file,
        _row_number,
        _billing_period

    from {{ ref('stg_aws_cur__line_items') }}

),

cur2 as (

    select
        'aws_cur2' as source_format,
        -- identity, bill and line item
        identity_line_item_id,
        bill_invoice_id,
        bill_invoicing_entity,
        bill_billing_entity,
        bill_bill_type,
        bill_payer_account_id,
        bill_payer_account_name,
        bill_billing_period_start_date,
        bill_billing_period_end_date,
        line_item_usage_account_id,
        line_item_usage_account_name,
        line_item_line_item_type,
        line_item_usage_start_date,
        line_item_usage_end_date,
        line_item_product_code,
        line_item_usage_type,
        line_item_operation,
        line_item_resource_id,
        line_item_availability_zone,
        line_item_usage_amount,
        line_item_normalized_usage_amount,
        line_item_currency_code,
        line_item_unblended_rate,
        line_item_unblended_cost,
        line_item_line_item_description,
        line_item_legal_entity,
        -- pricing and product
        pricing_public_on_demand_rate,
        pricing_public_on_demand_cost,
        pricing_term,
        pricing_unit,
        pricing_rate_code,
        -- attributes outside CUR 2.0's static columns live in its product map
        {{ json_text_value('product', 'product_name') }} as product_product_name,
        coalesce(product_region_code, {{ json_text_value('product', 'region') }})
            as product_region_code,
        product_location,
        product_sku,
        -- reservation (RI)
        reservation_reservation_a_r_n,
        reservation_effective_cost,
        reservation_unused_amortized_upfront_fee_for_billing_period,
        reservation_unused_recurring_fee,
        reservation_unused_quantity,
        reservation_unused_normalized_unit_quantity,
        reservation_total_reserved_normalized_units,
        reservation_total_reserved_units,
        reservation_number_of_reservations,
        reservation_start_time,
        reservation_end_time,
        -- savings plan
        savings_plan_savings_plan_a_r_n,
        savings_plan_savings_plan_effective_cost,
        savings_plan_total_commitment_to_date,
        savings_plan_used_commitment,
        savings_plan_start_time,
        savings_plan_end_time,
        -- tags and cost categories (JSON object text)
        -- resource_tags holds the activated cost allocation tags; the newer `tags` map only
        -- when an export selects it instead
        coalesce(nullif(resource_tags, '{}'), tags) as resource_tags,
        cost_category,
        -- ingestion metadata
        _manifest_id,
        _source_file,
        _row_number,
        _billing_period

    from {{ ref('stg_aws_cur2__line_items') }}

),

unioned as (

    select * from cur
    union all
    select * from cur2

)

select * from unioned
