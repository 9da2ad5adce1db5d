-- GCP detailed billing export (BigQuery dump), one row per export row of a loaded delivery.
-- Struct fields are flattened to snake_case columns (service.id -> service_id); label
-- arrays become JSON object text; credits and Resource Manager tags stay lists, unnested
-- in intermediate. The billing period is invoice.month (US Pacific), never the usage date.
--
-- RF03 reads struct fields (invoice.month) as table-qualified references; it is off here.
-- noqa: disable=RF03
with source as (

    select * from {{ source('gcp_billing', 'line_items') }}

),

renamed as (

    select
        -- billing account and invoice
        billing_account_id,
        invoice.month as invoice_month,
        invoice.publisher_type as invoice_publisher_type,
        cost_type,
        transaction_type,
        seller_name,
        adjustment_info.id as adjustment_info_id,
        adjustment_info.description as adjustment_info_description,
        adjustment_info.type as adjustment_info_type,
        adjustment_info.mode as adjustment_info_mode,
        -- service and sku
        service.id as service_id,
        service.description as service_description,
        sku.id as sku_id,
        sku.description as sku_description,
        -- project, resource and location
        project.id as project_id,
        project.number as project_number,
        project.name as project_name,
        project.ancestry_numbers as project_ancestry_numbers,
        project.ancestors as project_ancestors,
        resource.name as resource_name,
        resource.global_name as resource_global_name,
        location.location as location,
        location.country as location_country,
        location.region as location_region,
        location.zone as location_zone,
        subscription.instance_id as subscription_instance_id,
        -- labels: JSON object text (keys sorted); resource manager tags kept as exported
        {{ json_object_from_entries('labels') }} as labels,
        {{ json_object_from_entries('system_labels') }} as system_labels,
        {{ json_object_from_entries('project.labels') }} as project_labels,
        tags,
        -- time (UTC)
        {{ parse_timestamp('usage_start_time') }} as usage_start_time,
        {{ parse_timestamp('usage_end_time') }} as usage_end_time,
        {{ parse_timestamp('export_time') }} as export_time,
        -- usage
        cast(usage.amount as {{ money() }}) as usage_amount,
        usage.unit as usage_unit,
        cast(usage.amount_in_pricing_units as {{ money() }}) as usage_amount_in_pricing_units,
        usage.pricing_unit as usage_pricing_unit,
        -- cost and price (exact decimal); credits kept as the exported list, unnested downstream
        cast(cost as {{ money() }}) as cost,
        currency,
        cast(currency_conversion_rate as {{ money() }}) as currency_conversion_rate,
        credits,
        cast(cost_at_list as {{ money() }}) as cost_at_list,
        cast(cost_at_effective_price_default as {{ money() }}) as cost_at_effective_price_default,
        cast(cost_at_list_consumption_model as {{ money() }}) as cost_at_list_consumption_model,
        cast(price.effective_price as {{ money() }}) as price_effective_price,
        cast(price.effective_price_default as {{ money() }}) as price_effective_price_default,
        cast(price.list_price as {{ money() }}) as price_list_price,
        cast(price.list_price_consumption_model as {{ money() }})
            as price_list_price_consumption_model,
        cast(price.tier_start_amount as {{ money() }}) as price_tier_start_amount,
        price.unit as price_unit,
        cast(price.pricing_unit_quantity as {{ money() }}) as price_pricing_unit_quantity,
        consumption_model.id as consumption_model_id,
        consumption_model.description as consumption_model_description,
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
