-- Invoice totals (the project's generic invoice CSV), one row per invoice line of a delivery.
with source as (

    select * from {{ source('invoices', 'invoices') }}

),

renamed as (

    select
        -- invoice
        invoice_id,
        invoice_issuer,
        provider,
        billing_account_id,
        {{ parse_date('billing_period', ['%Y-%m']) }} as billing_period,
        {{ parse_date('issue_date', ['%Y-%m-%d']) }} as issue_date,
        -- amount (exact decimal) in its currency
        cast(amount as {{ money() }}) as amount,
        currency,
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
