-- ECB euro reference rates, one row per publication day and quoted currency: units of the
-- currency per 1 EUR. The file has one column per currency (the list is
-- finops_warehouse.ingest.formats.ECB_CURRENCIES); N/A (a holiday of that currency, or a
-- currency no longer quoted) is no quote, so no row.
{%- set currencies = [
    'USD', 'JPY', 'BGN', 'CYP', 'CZK', 'DKK', 'EEK', 'GBP', 'HUF', 'LTL', 'LVL', 'MTL',
    'PLN', 'ROL', 'RON', 'SEK', 'SIT', 'SKK', 'CHF', 'ISK', 'NOK', 'HRK', 'RUB', 'TRL',
    'TRY', 'AUD', 'BRL', 'CAD', 'CNY', 'HKD', 'IDR', 'ILS', 'INR', 'KRW', 'MXN', 'MYR',
    'NZD', 'PHP', 'SGD', 'THB', 'ZAR'
] %}

with source as (

    select * from {{ source('ecb_rates', 'daily_rates') }}

),

-- One branch per currency column; the ECB writes N/A where a currency has no quote.
renamed as (

    {%- for currency in currencies %}
        select
            -- the quote
            {{ parse_date(adapter.quote('Date'), ['%Y-%m-%d']) }} as rate_date,
            'EUR' as base_currency,
            '{{ currency }}' as quote_currency,
            cast(nullif(trim({{ adapter.quote(currency) }}), 'N/A') as {{ money() }}) as rate,
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
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from renamed
where rate is not null
