-- Monthly exchange rates (month, from, to, rate), one row per month and currency pair:
-- 1 unit of from_currency = rate units of to_currency.
with source as (

    select * from {{ source('exchange_rates', 'monthly_rates') }}

),

renamed as (

    select
        -- the rate
        {{ parse_date("month || '-01'", ['%Y-%m-%d']) }} as rate_month,
        upper(trim({{ adapter.quote('from') }})) as from_currency,
        upper(trim({{ adapter.quote('to') }})) as to_currency,
        cast(rate as {{ money() }}) as rate,
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
