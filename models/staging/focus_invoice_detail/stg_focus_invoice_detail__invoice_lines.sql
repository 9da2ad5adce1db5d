-- FOCUS 1.4 InvoiceDetail files, one row per invoice line item of a delivery.
-- Spec columns in snake_case; BilledCost -> exact decimal; timestamps -> UTC; the grain stays
-- JSON text. Every status is kept (Open, Issued, Voided): int_invoice_totals decides.
with source as (

    select * from {{ source('focus_invoice_detail', 'invoice_lines') }}

),

renamed as (

    select
        -- invoice and line
        InvoiceId as invoice_id,
        InvoiceIssuerName as invoice_issuer_name,
        InvoiceIssueStatus as invoice_issue_status,
        {{ parse_timestamp('InvoiceIssueDate') }} as invoice_issue_date,
        ReferenceInvoiceId as reference_invoice_id,
        InvoiceDetailId as invoice_detail_id,
        InvoiceDetailDescription as invoice_detail_description,
        InvoiceDetailGrain as invoice_detail_grain,
        {{ parse_timestamp('InvoiceDetailCreated') }} as invoice_detail_created,
        {{ parse_timestamp('InvoiceDetailLastUpdated') }} as invoice_detail_last_updated,
        ChargeCategory as charge_category,
        -- billing account and period
        BillingAccountId as billing_account_id,
        {{ parse_timestamp('BillingPeriodStart') }} as billing_period_start,
        {{ parse_timestamp('BillingPeriodEnd') }} as billing_period_end,
        -- money (exact decimal, currency beside it)
        cast(BilledCost as {{ money() }}) as billed_cost,
        BillingCurrency as billing_currency,
        cast(PaymentCurrencyBilledCost as {{ money() }}) as payment_currency_billed_cost,
        PaymentCurrency as payment_currency,
        PaymentCurrencyInvoiceDetailId as payment_currency_invoice_detail_id,
        -- payment
        {{ parse_timestamp('PaymentDueDate') }} as payment_due_date,
        PaymentTerms as payment_terms,
        PurchaseOrderNumber as purchase_order_number,
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
