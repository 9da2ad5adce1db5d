-- One row per charge and tag dimension (team, environment, cost_center, product) that the
-- charge carries under any alias of allocation_tag_keys: the tag key found and its normalized
-- value. Tag keys are normalized here, never in the FOCUS layer (docs/allocation.md).
-- Stored, not a view: the ledger, the showback and the KPIs all read it, and inlined into
-- one query the whole chain outgrew DuckDB's 3 GB memory bound on a 10M-row bill. A charge's
-- tags depend on that charge only: incremental by billing month (docs/dbt.md).
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charges as (

    select
        x_RowId,
        x_BillingPeriod as BillingPeriodStart,
        cast(ChargePeriodStart as date) as ChargeDay,
        Tags
    from {{ ref('fct_cost_and_usage') }}
    where Tags is not null and {{ in_billing_periods('x_BillingPeriod') }}

),

tag_keys as (

    select * from {{ ref('allocation_tag_keys') }}

),

tag_values as (

    select * from {{ ref('allocation_tag_values') }}

),

entries as (

    select
        charges.x_RowId,
        charges.BillingPeriodStart,
        charges.ChargeDay,
        -- tag_entry comes from the join the tag_entries macro writes
        tag_entry.key as TagKey,  -- noqa: RF01
        tag_entry.value as RawValue  -- noqa: RF01
    from charges
    {{ tag_entries('charges.Tags') }}

),

-- Keys fold case and surrounding blanks (`user:Team`, `user:team ` -> `user:team`) before they
-- meet their alias; values fold the same way, then meet their value alias if any.
matched as (

    select
        entries.x_RowId,
        entries.BillingPeriodStart,
        entries.ChargeDay,
        entries.TagKey,
        lower(trim(entries.RawValue)) as FoldedValue,
        tag_keys.dimension as TagDimension,
        tag_keys.rule_id as TagKeyRuleId,
        row_number() over (
            partition by entries.x_RowId, tag_keys.dimension
            order by tag_keys.priority, entries.TagKey
        ) as alias_rank
    from entries
    inner join tag_keys
        on
            lower(trim(entries.TagKey)) = tag_keys.tag_key
            and {{ rule_is_valid('tag_keys', 'entries.ChargeDay') }}
    where trim(entries.RawValue) != ''

)

select
    matched.x_RowId,
    matched.BillingPeriodStart,
    matched.TagDimension,
    matched.TagKey,
    coalesce(tag_values.canonical_value, matched.FoldedValue) as TagValue,
    matched.TagKeyRuleId,
    tag_values.rule_id as TagValueRuleId
from matched
left join tag_values
    on
        matched.TagDimension = tag_values.dimension
        and matched.FoldedValue = tag_values.tag_value
        and {{ rule_is_valid('tag_values', 'matched.ChargeDay') }}
-- The lowest-priority alias wins when a charge carries several spellings of one dimension.
where matched.alias_rank = 1
