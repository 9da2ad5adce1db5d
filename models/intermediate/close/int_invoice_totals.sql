-- The invoices to reconcile, from both invoice inputs, in one shape: the generic invoice CSV
-- (amounts summed per invoice) and FOCUS 1.4 InvoiceDetail files (Σ BilledCost of each
-- invoice's lines, FOCUS: Σ BilledCost per InvoiceIssuerName x InvoiceId = the invoice).

with csv_lines as (

    select * from {{ ref('stg_invoices__invoices') }}

),

detail_lines as (

    select * from {{ ref('stg_focus_invoice_detail__invoice_lines') }}

),

-- Only Issued invoices are owed. A Voided one was retracted (FOCUS 1.4: no financial
-- obligation; usually the duplicate of its reissue). An Open one is provisional and may still
-- change, so its charges wait like those of an invoice not delivered yet (invoice_missing).
from_invoice_detail as (

    select
        invoice_issuer_name as InvoiceIssuerName,
        invoice_id as InvoiceId,
        billing_currency as BillingCurrency,
        min(billing_account_id) as BillingAccountId,
        min(cast({{ dbt.date_trunc('month', 'billing_period_start') }} as date))
            as BillingPeriodStart,
        sum(billed_cost) as InvoiceTotal,
        count(*) as InvoiceLines,
        'focus_invoice_detail' as InvoiceSourceFormat,
        max(_source_file) as InvoiceSourceFile
    from detail_lines
    where invoice_issue_status = 'Issued'
    group by invoice_issuer_name, invoice_id, billing_currency

),

-- An invoice also listed in an InvoiceDetail file counts once, as its issuer's own lines say
-- (whatever their status: a voided invoice stays voided).
from_csv as (

    select
        invoice_issuer as InvoiceIssuerName,
        invoice_id as InvoiceId,
        currency as BillingCurrency,
        min(billing_account_id) as BillingAccountId,
        min(billing_period) as BillingPeriodStart,
        sum(amount) as InvoiceTotal,
        count(*) as InvoiceLines,
        'invoices' as InvoiceSourceFormat,
        max(_source_file) as InvoiceSourceFile
    from csv_lines
    where
        not exists (
            select 1 from detail_lines
            where
                detail_lines.invoice_id = csv_lines.invoice_id
                and detail_lines.billing_currency = csv_lines.currency
        )
    group by invoice_issuer, invoice_id, currency

)

select
    InvoiceIssuerName,
    InvoiceId,
    BillingCurrency,
    BillingAccountId,
    BillingPeriodStart,
    cast(InvoiceTotal as {{ money() }}) as InvoiceTotal,
    InvoiceLines,
    InvoiceSourceFormat,
    InvoiceSourceFile
from from_csv

union all

select
    InvoiceIssuerName,
    InvoiceId,
    BillingCurrency,
    BillingAccountId,
    BillingPeriodStart,
    cast(InvoiceTotal as {{ money() }}) as InvoiceTotal,
    InvoiceLines,
    InvoiceSourceFormat,
    InvoiceSourceFile
from from_invoice_detail
