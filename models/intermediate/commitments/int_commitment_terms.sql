-- The contract terms of each commitment as the exports and the providers' inventories state
-- them (FOCUS has no column for them): start, end, term, payment option, upfront value, scope
-- and auto-renew. AWS CUR states the whole contract on its fee rows. Azure cost details give
-- only the term in months and the GCP export only a SKU description, so their dates, plan,
-- scope and renewal come from the reservation / commitment inventories when loaded; without
-- them those stay NULL.
--
-- RF03: sum_list_field renders list lambdas (element.amount) that sqlfluff takes for
-- qualified references beside the plain column names; it is off here.
-- noqa: disable=RF03
with aws_line_items as (

    select
        reservation_reservation_a_r_n,
        reservation_start_time,
        reservation_end_time,
        reservation_upfront_value,
        reservation_availability_zone,
        pricing_lease_contract_length,
        pricing_purchase_option,
        product_region_code,
        savings_plan_savings_plan_a_r_n,
        savings_plan_start_time,
        savings_plan_end_time,
        savings_plan_payment_option,
        savings_plan_purchase_term,
        savings_plan_offering_type,
        savings_plan_instance_type_family,
        savings_plan_region
    from {{ ref('stg_aws_cur__line_items') }}
    union all
    select
        reservation_reservation_a_r_n,
        reservation_start_time,
        reservation_end_time,
        reservation_upfront_value,
        reservation_availability_zone,
        pricing_lease_contract_length,
        pricing_purchase_option,
        product_region_code,
        savings_plan_savings_plan_a_r_n,
        savings_plan_start_time,
        savings_plan_end_time,
        savings_plan_payment_option,
        savings_plan_purchase_term,
        savings_plan_offering_type,
        savings_plan_instance_type_family,
        savings_plan_region
    from {{ ref('stg_aws_cur2__line_items') }}

),

aws_reserved_instances as (

    select
        reservation_reservation_a_r_n as CommitmentDiscountId,
        min(reservation_start_time) as CommitmentStart,
        max(reservation_end_time) as CommitmentEnd,
        max(pricing_lease_contract_length) as SourceTerm,
        max(pricing_purchase_option) as PaymentOption,
        max(reservation_upfront_value) as UpfrontAmount,
        max(
            case
                when reservation_availability_zone is not null
                    then 'zonal, ' || reservation_availability_zone
                else 'regional, ' || product_region_code
            end
        ) as CommitmentScope,
        cast(null as {{ dbt.type_boolean() }}) as IsAutoRenew
    from aws_line_items
    -- The fee rows carry the reservation's attributes (covered usage rows carry the
    -- usage's region and zone, not the reservation's).
    where
        reservation_reservation_a_r_n is not null
        and reservation_start_time is not null
        and pricing_lease_contract_length is not null
    group by reservation_reservation_a_r_n

),

aws_savings_plans as (

    select
        savings_plan_savings_plan_a_r_n as CommitmentDiscountId,
        min(savings_plan_start_time) as CommitmentStart,
        max(savings_plan_end_time) as CommitmentEnd,
        max(savings_plan_purchase_term) as SourceTerm,
        max(savings_plan_payment_option) as PaymentOption,
        cast(null as {{ money() }}) as UpfrontAmount,
        max(
            savings_plan_offering_type
            || coalesce(', ' || savings_plan_instance_type_family, '')
            || coalesce(', ' || savings_plan_region, '')
        ) as CommitmentScope,
        -- the CUR does not say whether AWS renews a reservation or savings plan
        cast(null as {{ dbt.type_boolean() }}) as IsAutoRenew
    from aws_line_items
    where
        savings_plan_savings_plan_a_r_n is not null
        and savings_plan_start_time is not null
    group by savings_plan_savings_plan_a_r_n

),

azure_export_terms as (

    -- fct_cost_and_usage lower-cases Azure commitment ids; the term is in months.
    select
        lower(benefit_id) as CommitmentDiscountId,
        max(term) as SourceTerm
    from {{ ref('stg_azure__amortized_cost') }}
    where
        benefit_id is not null
        and term is not null
    group by lower(benefit_id)

),

azure_inventory as (

    select
        lower(reservation_id) as CommitmentDiscountId,
        case
            when strpos(lower(reservation_id), '/reservations/') > 0
                then left(
                    lower(reservation_id), strpos(lower(reservation_id), '/reservations/') - 1
                )
        end as ReservationOrderId,
        -- older API versions give the expiry as a date only
        coalesce(benefit_start_at, purchased_at) as CommitmentStart,
        coalesce(expiry_at, cast(expiry_date as timestamp)) as CommitmentEnd,
        term as SourceTerm,
        billing_plan as PaymentOption,
        applied_scope_type
        || coalesce(' ' || array_to_string(applied_scopes, ', '), '')
        || ': ' || cast(quantity as {{ dbt.type_string() }}) || ' x ' || sku_name
        || ' in ' || location as CommitmentScope,
        renew as IsAutoRenew
    from {{ ref('stg_azure_reservations__reservations') }}

),

azure_inventory_with_orders as (

    select
        CommitmentDiscountId,
        CommitmentStart,
        CommitmentEnd,
        SourceTerm,
        PaymentOption,
        CommitmentScope,
        IsAutoRenew
    from azure_inventory
    union all
    -- A purchase row of an order holding several reservations names only the order
    -- (int_azure__focus): the order's term spans its reservations'.
    select
        ReservationOrderId as CommitmentDiscountId,
        min(CommitmentStart) as CommitmentStart,
        max(CommitmentEnd) as CommitmentEnd,
        max(SourceTerm) as SourceTerm,
        max(PaymentOption) as PaymentOption,
        cast(null as {{ dbt.type_string() }}) as CommitmentScope,
        cast(null as {{ dbt.type_boolean() }}) as IsAutoRenew
    from azure_inventory
    where ReservationOrderId is not null
    group by ReservationOrderId

),

azure_reservations as (

    select
        coalesce(inventory.CommitmentDiscountId, export.CommitmentDiscountId)
            as CommitmentDiscountId,
        inventory.CommitmentStart,
        inventory.CommitmentEnd,
        coalesce(inventory.SourceTerm, export.SourceTerm) as SourceTerm,
        inventory.PaymentOption,
        cast(null as {{ money() }}) as UpfrontAmount,
        inventory.CommitmentScope,
        inventory.IsAutoRenew
    from azure_export_terms as export
    full outer join azure_inventory_with_orders as inventory
        on export.CommitmentDiscountId = inventory.CommitmentDiscountId

),

gcp_export_terms as (

    -- "Commitment v1: Cpu in Americas for 1 Year": the term is only in the SKU description.
    select
        subscription_instance_id as CommitmentDiscountId,
        max(
            case
                when sku_description like '%for 1 Year%' then '1yr'
                when sku_description like '%for 3 Years%' then '3yr'
            end
        ) as SourceTerm
    from {{ ref('stg_gcp_billing__line_items') }}
    where subscription_instance_id is not null
    group by subscription_instance_id

),

gcp_inventory as (

    select
        commitment_id as CommitmentDiscountId,
        start_at as CommitmentStart,
        end_at as CommitmentEnd,
        case plan
            when 'TWELVE_MONTH' then 'P1Y'
            when 'THIRTY_SIX_MONTH' then 'P3Y'
        end as SourceTerm,
        commitment_type || ', '
        || cast(
            {{ sum_list_field('resources', 'amount', 'type', ['VCPU']) }}
            as {{ dbt.type_string() }}
        )
        || ' vCPU'
        || case
            when {{ sum_list_field('resources', 'amount', 'type', ['MEMORY']) }} > 0
                then ', ' || cast(
                    {{ sum_list_field('resources', 'amount', 'type', ['MEMORY']) }}
                    as {{ dbt.type_string() }}
                ) || ' MB memory'
            else ''
        end
        || ' in ' || {{ dbt.split_part('region_url', "'/'", -1) }} as CommitmentScope,
        auto_renew as IsAutoRenew
    from {{ ref('stg_gcp_commitments__commitments') }}

),

gcp_commitments as (

    select
        coalesce(inventory.CommitmentDiscountId, export.CommitmentDiscountId)
            as CommitmentDiscountId,
        inventory.CommitmentStart,
        inventory.CommitmentEnd,
        coalesce(inventory.SourceTerm, export.SourceTerm) as SourceTerm,
        -- a resource-based CUD is paid monthly over its term: GCP has no upfront option
        case when inventory.CommitmentDiscountId is not null then 'Monthly' end
            as PaymentOption,
        cast(null as {{ money() }}) as UpfrontAmount,
        inventory.CommitmentScope,
        inventory.IsAutoRenew
    from gcp_export_terms as export
    full outer join gcp_inventory as inventory
        on export.CommitmentDiscountId = inventory.CommitmentDiscountId

),

unioned as (

    select * from aws_reserved_instances
    union all
    select * from aws_savings_plans
    union all
    select * from azure_reservations
    union all
    select * from gcp_commitments

)

select
    CommitmentDiscountId,
    CommitmentStart,
    CommitmentEnd,
    -- ISO 8601 durations: AWS "1yr"/"3yr", Azure months "12"/"36" or the inventory's "P1Y"
    case
        when SourceTerm in ('1yr', '12', 'P1Y') then 'P1Y'
        when SourceTerm in ('3yr', '36', 'P3Y') then 'P3Y'
        when SourceTerm in ('60', 'P5Y') then 'P5Y'
    end as CommitmentTerm,
    PaymentOption,
    UpfrontAmount,
    CommitmentScope,
    IsAutoRenew
from unioned
