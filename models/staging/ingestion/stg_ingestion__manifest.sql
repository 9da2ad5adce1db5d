-- Every landing file ingestion has seen (raw.ingest_manifest): what it was, which delivery it
-- is a part of, and what became of it (loaded, replaced, superseded, duplicate, held,
-- quarantined). The partitions a file holds are in stg_ingestion__partitions.
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
    loaded_at,
    delivery_id,
    delivery,
    delivered_at,
    partitions,
    notes
from source
