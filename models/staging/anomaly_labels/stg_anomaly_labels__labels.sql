-- Known cost changes (anomaly labels), one row per labelled change: what the anomaly backtest
-- scores detection against. Empty text means "not given" (ingestion reads it as NULL).
with source as (

    select * from {{ source('anomaly_labels', 'labels') }}

),

renamed as (

    select
        -- the label
        label_id,
        kind,
        description,
        -- where the change is: each given column narrows the series
        provider as provider_name,
        billing_account_id,
        sub_account_id,
        service_name,
        resource_id,
        -- when (a NULL last day: the change lasts)
        {{ parse_date('first_day') }} as first_day,
        {{ parse_date('last_day') }} as last_day,
        -- how much, in the billing currency of the changed charges
        cast(extra_cost_per_day as {{ money() }}) as extra_cost_per_day,
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
