-- GCP rows take their InvoiceId from the invoices file (int_gcp_billing__focus): the join
-- must never add or drop a row, and an id must be an invoice of the row's own billing
-- account and invoice month. Rows: the counts, when they differ, and every row whose
-- invoice is not its account's and month's.
with gcp_rows as (

    select * from {{ ref('fct_cost_and_usage') }}
    where x_SourceFormat = 'gcp_billing'

),

export_rows as (

    select count(*) as export_row_count
    from {{ ref('stg_gcp_billing__line_items') }}

),

mart_rows as (

    -- Derived Unused rows (#unused) come from CUD fee rows, not from the export.
    select
        count(*) as mart_row_count,
        count(distinct x_RowId) as mart_row_id_count
    from gcp_rows
    where x_RowId not like '%#unused'

),

count_mismatch as (

    select
        cast(null as {{ dbt.type_string() }}) as row_id,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        'the mart has ' || cast(mart_rows.mart_row_count as {{ dbt.type_string() }})
        || ' GCP rows (' || cast(mart_rows.mart_row_id_count as {{ dbt.type_string() }})
        || ' distinct) for ' || cast(export_rows.export_row_count as {{ dbt.type_string() }})
        || ' export rows' as problem
    from mart_rows
    cross join export_rows
    where
        mart_rows.mart_row_count != export_rows.export_row_count
        or mart_rows.mart_row_id_count != mart_rows.mart_row_count

),

foreign_invoices as (

    select
        gcp_rows.x_RowId as row_id,
        gcp_rows.InvoiceId as invoice_id,
        'InvoiceId is not an invoice of this billing account and invoice month' as problem
    from gcp_rows
    left join {{ ref('stg_invoices__invoices') }} as invoices
        on
            gcp_rows.InvoiceId = invoices.invoice_id
            and gcp_rows.BillingAccountId = invoices.billing_account_id
            -- the invoice month starts at 07:00 or 08:00 UTC on its first day
            and cast(gcp_rows.BillingPeriodStart as date) = invoices.billing_period
            and invoices.provider = 'Google Cloud'
    where
        gcp_rows.InvoiceId is not null
        and invoices.invoice_id is null

)

select * from count_mismatch
union all
select * from foreign_invoices
