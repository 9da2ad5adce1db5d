-- Provider vocabulary the FOCUS mapping does not know, over every loaded month: the monthly
-- counts summed per value. Empty when every value is known.
-- A table: the run summary reads it (finops_warehouse/orchestration/vocabulary.py); it is
-- small.
{{ config(materialized='table') }}

select
    provider_name,
    source_format,
    vocabulary_kind,
    source_value,
    sum(row_count) as row_count,
    min(billing_period) as first_billing_period,
    max(billing_period) as last_billing_period,
    -- where a maintainer adds the value so the next run maps it
    case vocabulary_kind
        when 'unit' then 'seeds/reference/unit_mappings.csv'
        when 'service' then 'seeds/focus/focus_service_mappings.csv'
        when 'region' then 'seeds/focus/focus_regions.csv'
        else 'the charge type rules of the ' || source_format || ' mapping model'
    end as where_to_add
from {{ ref('int_focus_vocabulary_gaps_monthly') }}
group by provider_name, source_format, vocabulary_kind, source_value
