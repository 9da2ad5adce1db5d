-- Azure reservation inventory, one row per reservation as its newest loaded snapshot lists it.
-- Each snapshot lists every reservation as it stood that day and stays in raw under its own
-- month, so a reservation is in several snapshots: the newest one (latest month, then the
-- latest load) describes it. `properties` is flattened to snake_case columns.
--
-- RF03 reads struct fields (properties.term) as table-qualified references; it is off here.
-- noqa: disable=RF03
with source as (

    select * from {{ source('azure_reservations', 'reservations') }}

),

renamed as (

    select
        -- ids (the resource id path names the order: .../reservationOrders/<o>/reservations/<r>)
        id as reservation_id,
        name as reservation_name,
        properties.displayName as display_name,
        type as resource_type,
        kind,
        etag,
        -- what is reserved
        sku.name as sku_name,
        properties.skuDescription as sku_description,
        properties.reservedResourceType as reserved_resource_type,
        properties.instanceFlexibility as instance_flexibility,
        cast(properties.quantity as {{ dbt.type_bigint() }}) as quantity,
        location,
        -- contract
        properties.term as term,
        properties.billingPlan as billing_plan,
        properties.renew as renew,
        properties.userFriendlyRenewState as user_friendly_renew_state,
        properties.renewSource as renew_source,
        properties.renewDestination as renew_destination,
        properties.billingScopeId as billing_scope_id,
        -- scope
        properties.appliedScopeType as applied_scope_type,
        properties.userFriendlyAppliedScopeType as user_friendly_applied_scope_type,
        properties.appliedScopes as applied_scopes,
        properties.appliedScopeProperties as applied_scope_properties,
        -- state
        properties.provisioningState as provisioning_state,
        properties.displayProvisioningState as display_provisioning_state,
        properties.provisioningSubState as provisioning_sub_state,
        properties.extendedStatusInfo as extended_status_info,
        properties.archived as archived,
        properties.utilization as utilization,
        -- time (UTC)
        cast(properties.purchaseDate as date) as purchase_date,
        {{ parse_timestamp('properties.purchaseDateTime') }} as purchased_at,
        {{ parse_timestamp('properties.benefitStartTime') }} as benefit_start_at,
        {{ parse_timestamp('properties.effectiveDateTime') }} as effective_at,
        cast(properties.expiryDate as date) as expiry_date,
        {{ parse_timestamp('properties.expiryDateTime') }} as expiry_at,
        {{ parse_timestamp('properties.lastUpdatedDateTime') }} as last_updated_at,
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
            partition by lower(reservation_id)
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
