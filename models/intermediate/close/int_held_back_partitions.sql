-- The billing months a refused landing file would have fed, while nothing has replaced it.
-- A quarantined file (or a part held back with it) records the partitions it was known to hold:
-- from its rows, else its delivery path; provider and account stay NULL where unknown, which
-- holds back every account of the month. A later load lifts the hold: the same path loaded again
-- (the fixed file), or a load of the same format, account and month.
with refused as (

    select * from {{ ref('stg_ingestion__partitions') }}
    where status in ('quarantined', 'held')

),

loads as (

    select * from {{ ref('stg_ingestion__partitions') }}
    where status in ('loaded', 'replaced', 'superseded')

),

files as (

    select * from {{ ref('stg_ingestion__manifest') }}

),

outstanding as (

    select refused.*
    from refused
    where not exists (
        select 1
        from loads
        where
            loads.loaded_at > refused.loaded_at
            and (
                loads.path = refused.path
                or (
                    loads.format = refused.format
                    and loads.billing_account_id = refused.billing_account_id
                    and loads.billing_period = refused.billing_period
                )
            )
    )

)

select distinct
    outstanding.billing_period as BillingPeriodStart,
    outstanding.billing_account_id as BillingAccountId,
    outstanding.provider as ProviderName,
    outstanding.path as FilePath,
    outstanding.status as FileStatus,
    files.error as Reason,
    outstanding.loaded_at as RefusedAt
from outstanding
inner join files
    on
        outstanding.manifest_id = files.manifest_id
        and outstanding.path = files.path
        and outstanding.loaded_at = files.loaded_at
