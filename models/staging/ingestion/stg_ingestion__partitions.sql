-- Every partition (provider x billing account x billing period) each loaded file holds, per
-- currency (raw.ingest_partitions): its rows and control total, and whether it is the live
-- delivery of that partition (loaded), was replaced by a newer one, or arrived after a newer
-- one (superseded).
with source as (

    select * from {{ source('ingestion', 'ingest_partitions') }}

)

select
    manifest_id,
    path,
    delivery_id,
    format,
    provider,
    billing_account_id,
    billing_period,
    currency,
    rows,
    cost_total,
    status,
    delivered_at,
    loaded_at
from source
