-- Every landing file ingestion has seen (raw.ingest_manifest): what it was, which billing
-- account and month it holds, and what became of it (loaded, replaced, superseded, duplicate,
-- quarantined).
with source as (

    select * from {{ source('ingestion', 'ingest_manifest') }}

)

select
    manifest_id,
    path,
    bytes,
    format,
    billing_account_id,
    billing_period,
    rows,
    cost_total,
    currency,
    status,
    error,
    extra_columns,
    file_modified_at,
    loaded_at
from source
