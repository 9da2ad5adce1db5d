-- The contract terms of each commitment as the exports state them (FOCUS has no column for
-- them): start, end, term, payment option, upfront value and scope. A source that does not
-- state a term leaves it NULL: Azure cost details give the term in months but no dates, the
-- GCP export names the term only in the SKU description.
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
        ) as CommitmentScope
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
        ) as CommitmentScope
    from aws_line_items
    where
        savings_plan_savings_plan_a_r_n is not null
        and savings_plan_start_time is not null
    group by savings_plan_savings_plan_a_r_n

),

azure_reservations as (

    -- fct_cost_and_usage lower-cases Azure commitment ids; the term is in months.
    select
        lower(benefit_id) as CommitmentDiscountId,
        cast(null as timestamp) as CommitmentStart,
        cast(null as timestamp) as CommitmentEnd,
        max(term) as SourceTerm,
        cast(null as {{ dbt.type_string() }}) as PaymentOption,
        cast(null as {{ money() }}) as UpfrontAmount,
        cast(null as {{ dbt.type_string() }}) as CommitmentScope
    from {{ ref('stg_azure__amortized_cost') }}
    where
        benefit_id is not null
        and term is not null
    group by lower(benefit_id)

),

gcp_commitments as (

    -- "Commitment v1: Cpu in Americas for 1 Year": the term is only in the SKU description.
    select
        subscription_instance_id as CommitmentDiscountId,
        cast(null as timestamp) as CommitmentStart,
        cast(null as timestamp) as CommitmentEnd,
        max(
            case
                when sku_description like '%for 1 Year%' then '1yr'
                when sku_description like '%for 3 Years%' then '3yr'
            end
        ) as SourceTerm,
        cast(null as {{ dbt.type_string() }}) as PaymentOption,
        cast(null as {{ money() }}) as UpfrontAmount,
        cast(null as {{ dbt.type_string() }}) as CommitmentScope
    from {{ ref('stg_gcp_billing__line_items') }}
    where subscription_instance_id is not null
    group by subscription_instance_id

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
    -- ISO 8601 durations: AWS "1yr"/"3yr", Azure months "12"/"36"
    case
        when SourceTerm in ('1yr', '12') then 'P1Y'
        when SourceTerm in ('3yr', '36') then 'P3Y'
    end as CommitmentTerm,
    PaymentOption,
    UpfrontAmount,
    CommitmentScope
from unioned
