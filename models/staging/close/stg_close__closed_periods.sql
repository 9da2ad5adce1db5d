-- The closed billing months, one row per close (close.closed_periods, written by `finops
-- close`; created empty by the project's on-run-start hook).

with source as (

    select * from {{ source('close', 'closed_periods') }}

)

select
    BillingPeriodStart,
    ClosedAt,
    ExtractDirectory,
    ManifestSha256,
    RulesVersion
from source
