-- The billing months of every billing account, whether finance closed them, and how complete
-- their data is (days of usage present; refused landing files that hold it back). A month is
-- closed for all accounts at once (`finops close --period`).

with charges as (

    select * from {{ ref('fct_cost_and_usage') }}

),

reconciliation as (

    select * from {{ ref('fct_invoice_reconciliation') }}

),

deliveries as (

    select * from {{ ref('stg_ingestion__partitions') }}

),

closed_periods as (

    select * from {{ ref('stg_close__closed_periods') }}

),

held_back as (

    select * from {{ ref('int_held_back_partitions') }}

),

usage_present as (

    select
        x_BillingPeriod as BillingPeriodStart,
        BillingAccountId,
        min(ProviderName) as ProviderName,
        -- Days of the month only: a GCP invoice month runs on Pacific time (its last hours fall
        -- on the next UTC day), and a late correction of an earlier day lands in a later month.
        count(distinct case
            when
                ChargeCategory = 'Usage'
                and cast(ChargePeriodStart as date) >= x_BillingPeriod
                and cast(ChargePeriodStart as date)
                < {{ dbt.dateadd('month', 1, 'x_BillingPeriod') }}
                then cast(ChargePeriodStart as date)
        end) as DaysOfUsagePresent
    from charges
    group by x_BillingPeriod, BillingAccountId

),

invoices as (

    select
        BillingPeriodStart,
        BillingAccountId,
        count(*) as Invoices,
        count(case when Status = 'matched' then 1 end) as InvoicesMatched
    from reconciliation
    where RecordType = 'invoice'
    group by BillingPeriodStart, BillingAccountId

),

last_delivery as (

    -- The live deliveries of the account's partitions, billing data only: a superseded or
    -- refused file did not change the data, and an invoice or a commitment inventory is not
    -- usage.
    select
        billing_period as BillingPeriodStart,
        billing_account_id as BillingAccountId,
        max(delivered_at) as LastDeliveryAt
    from deliveries
    where
        status = 'loaded'
        and format in (select distinct charges.x_SourceFormat from charges)
    group by billing_period, billing_account_id

),

accounts as (

    select
        BillingPeriodStart,
        BillingAccountId
    from usage_present
    union distinct
    select
        BillingPeriodStart,
        BillingAccountId
    from invoices
    union distinct
    select
        BillingPeriodStart,
        BillingAccountId
    from held_back
    where BillingAccountId is not null

),

held_back_files as (

    -- A file refused before its account was known holds back every account of its month.
    select distinct
        accounts.BillingPeriodStart,
        accounts.BillingAccountId,
        held_back.FilePath
    from accounts
    inner join held_back
        on
            accounts.BillingPeriodStart = held_back.BillingPeriodStart
            and (
                accounts.BillingAccountId = held_back.BillingAccountId
                or held_back.BillingAccountId is null
            )

),

held_back_summary as (

    select
        BillingPeriodStart,
        BillingAccountId,
        {{ dbt.listagg('FilePath', "'; '", 'order by FilePath') }} as HeldBackFiles
    from held_back_files
    group by BillingPeriodStart, BillingAccountId

)

select
    accounts.BillingPeriodStart,
    accounts.BillingPeriodStart as BillingMonth,
    accounts.BillingAccountId,
    usage_present.ProviderName,
    case when closed_periods.BillingPeriodStart is null then 'Open' else 'Closed' end as Status,
    last_delivery.LastDeliveryAt,
    coalesce(usage_present.DaysOfUsagePresent, 0) as DaysOfUsagePresent,
    {{ dbt.datediff('accounts.BillingPeriodStart',
        dbt.dateadd('month', 1, 'accounts.BillingPeriodStart'), 'day') }} as DaysInPeriod,
    coalesce(invoices.Invoices, 0) as Invoices,
    coalesce(invoices.InvoicesMatched, 0) as InvoicesMatched,
    held_back_summary.HeldBackFiles is not null as IsHeldBack,
    held_back_summary.HeldBackFiles,
    closed_periods.ClosedAt,
    closed_periods.ManifestSha256 as CloseManifestSha256

from accounts
left join usage_present
    on
        accounts.BillingPeriodStart = usage_present.BillingPeriodStart
        and accounts.BillingAccountId = usage_present.BillingAccountId
left join invoices
    on
        accounts.BillingPeriodStart = invoices.BillingPeriodStart
        and accounts.BillingAccountId = invoices.BillingAccountId
left join last_delivery
    on
        accounts.BillingPeriodStart = last_delivery.BillingPeriodStart
        and accounts.BillingAccountId = last_delivery.BillingAccountId
left join held_back_summary
    on
        accounts.BillingPeriodStart = held_back_summary.BillingPeriodStart
        and accounts.BillingAccountId = held_back_summary.BillingAccountId
left join closed_periods
    on accounts.BillingPeriodStart = closed_periods.BillingPeriodStart
