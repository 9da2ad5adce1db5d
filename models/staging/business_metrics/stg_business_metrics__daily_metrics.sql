-- Daily business metrics (date, product, metric, value), one row per metric, product and day.
with source as (

    select * from {{ source('business_metrics', 'daily_metrics') }}

),

renamed as (

    select
        -- metric
        {{ parse_date('date', ['%Y-%m-%d']) }} as metric_date,
        product,
        metric,
        cast(value as {{ money() }}) as metric_value,
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
