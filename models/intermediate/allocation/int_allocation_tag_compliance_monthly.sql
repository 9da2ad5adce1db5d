-- Tag compliance per billing month, provider, currency and required tag dimension, over the
-- taggable charges (those with a ResourceId): their cost and distinct resources, and the part
-- that carries the tag under any alias. Everything here belongs to one billing month (a
-- resource is counted once per month), so the model is incremental by billing month
-- (docs/dbt.md) and kpi_allocation_monthly reads these few rows instead of every charge.
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charges as (

    select
        x_RowId,
        x_BillingPeriod as BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        lower(ResourceId) as ResourceKey,
        EffectiveCost
    from {{ ref('fct_cost_and_usage') }}
    where ResourceId is not null and {{ in_billing_periods('x_BillingPeriod') }}

),

charge_tags as (

    select
        x_RowId,
        TagDimension
    from {{ ref('int_allocation_charge_tags') }}
    where {{ in_billing_periods('BillingPeriodStart') }}

),

required_tags as (

    select * from {{ ref('allocation_required_tags') }}

),

charge_compliance as (

    select
        charges.BillingPeriodStart,
        charges.ProviderName,
        charges.BillingCurrency,
        charges.ResourceKey,
        charges.EffectiveCost,
        required_tags.dimension as TagDimension,
        charge_tags.x_RowId is not null as is_tagged
    from charges
    inner join required_tags
        on {{ rule_is_valid('required_tags', 'charges.BillingPeriodStart') }}
    left join charge_tags
        on
            charges.x_RowId = charge_tags.x_RowId
            and required_tags.dimension = charge_tags.TagDimension

)

select
    BillingPeriodStart,
    ProviderName,
    BillingCurrency,
    TagDimension,
    sum(case when is_tagged then EffectiveCost else 0 end) as TaggedCost,
    sum(EffectiveCost) as TaggableCost,
    count(distinct case when is_tagged then ResourceKey end) as TaggedResources,
    count(distinct ResourceKey) as TaggableResources
from charge_compliance
group by BillingPeriodStart, ProviderName, BillingCurrency, TagDimension
