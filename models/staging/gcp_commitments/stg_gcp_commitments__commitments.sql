-- GCP commitment inventory, one row per commitment as its newest loaded snapshot lists it
-- (snapshots stay in raw under their own month; the latest month, then the latest load,
-- describes a commitment). `resources` stays the exported list of {type, amount}.
with source as (

    select * from {{ source('gcp_commitments', 'commitments') }}

),

renamed as (

    select
        -- ids: `id` is what the billing export names subscription.instance_id
        id as commitment_id,
        name as commitment_name,
        description,
        kind,
        selfLink as self_link,
        -- what is committed
        type as commitment_type,
        category,
        resources,
        region as region_url,
        -- contract and state
        plan,
        status,
        statusMessage as status_message,
        autoRenew as auto_renew,
        -- time (UTC)
        {{ parse_timestamp('creationTimestamp') }} as created_at,
        {{ parse_timestamp('startTimestamp') }} as start_at,
        {{ parse_timestamp('endTimestamp') }} as end_at,
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

),

newest as (

    select
        _manifest_id,
        _row_number,
        row_number() over (
            partition by commitment_id
            order by _billing_period desc, _loaded_at desc, _manifest_id desc
        ) as snapshot_rank
    from renamed

)

select renamed.*
from renamed
inner join newest
    on
        renamed._manifest_id = newest._manifest_id
        and renamed._row_number = newest._row_number
where newest.snapshot_rank = 1
