-- Provider vocabulary the FOCUS mapping does not know, counted per billing month: units,
-- services, regions and charge types that the mapping models kept as given (or classified by
-- their fallback) because no seed row or rule names them. Each mapping model marks such a row
-- in its vocabulary_unknown_* columns, which int_cost_and_usage stores beside the row. A
-- month's counts read only that month's rows, so the model is incremental by billing month
-- (docs/dbt.md); int_focus_vocabulary_gaps sums it.
{{ config(**billing_period_incremental('billing_period')) }}

with flagged as (

    -- A FOCUS file's ConsumedUnit apart from its PricingUnit: an unknown one is counted too,
    -- once per row when both hold the same value (only FOCUS files have one).
    select
        ProviderName as provider_name,
        x_SourceFormat as source_format,
        x_BillingPeriod as billing_period,
        vocabulary_unknown_unit as unknown_unit,
        case
            when vocabulary_unknown_consumed_unit != coalesce(vocabulary_unknown_unit, '')
                then vocabulary_unknown_consumed_unit
        end as unknown_consumed_unit,
        vocabulary_unknown_service as unknown_service,
        vocabulary_unknown_region as unknown_region,
        vocabulary_unknown_charge_type as unknown_charge_type
    from {{ ref('int_cost_and_usage') }}
    where
        coalesce(
            vocabulary_unknown_unit,
            vocabulary_unknown_consumed_unit,
            vocabulary_unknown_service,
            vocabulary_unknown_region,
            vocabulary_unknown_charge_type
        ) is not null
        and {{ in_billing_periods('x_BillingPeriod') }}

),

counted as (

    -- few rows: one per month and distinct combination of unknown values
    select
        billing_period,
        provider_name,
        source_format,
        unknown_unit,
        unknown_consumed_unit,
        unknown_service,
        unknown_region,
        unknown_charge_type,
        count(*) as row_count
    from flagged
    group by
        billing_period,
        provider_name,
        source_format,
        unknown_unit,
        unknown_consumed_unit,
        unknown_service,
        unknown_region,
        unknown_charge_type

),

kinds as (

    -- the vocabulary kinds, and which column of `counted` holds each (two for units)
    select
        'unit' as vocabulary_kind,
        'unit' as slot
    union all
    select
        'unit' as vocabulary_kind,
        'consumed unit' as slot
    union all
    select
        'service' as vocabulary_kind,
        'service' as slot
    union all
    select
        'region' as vocabulary_kind,
        'region' as slot
    union all
    select
        'charge type' as vocabulary_kind,
        'charge type' as slot

),

unpivoted as (

    select
        counted.billing_period,
        counted.provider_name,
        counted.source_format,
        kinds.vocabulary_kind,
        case kinds.slot
            when 'unit' then counted.unknown_unit
            when 'consumed unit' then counted.unknown_consumed_unit
            when 'service' then counted.unknown_service
            when 'region' then counted.unknown_region
            when 'charge type' then counted.unknown_charge_type
        end as source_value,
        counted.row_count
    from counted
    cross join kinds

)

select
    billing_period,
    provider_name,
    source_format,
    vocabulary_kind,
    source_value,
    sum(row_count) as row_count
from unpivoted
where source_value is not null
group by billing_period, provider_name, source_format, vocabulary_kind, source_value
