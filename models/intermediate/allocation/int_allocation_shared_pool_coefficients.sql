-- One row per shared pool, billing period, currency and target owner: the target's weight
-- and its ratio of the pool (ratios of a pool sum to 1 up to 1e-10; the ledger puts the
-- remainder on the target of RemainderRank 1 so the parts sum exactly to the pool).
-- Weights are computed on the whole population of the period and currency, before any filter:
-- even (1 per owner with direct cost), proportional (the owner's direct cost in split_basis,
-- EffectiveCost or BilledCost; owners with none or negative get no share), metric (the
-- owner's business metric named in split_basis over the month), fixed (fixed_ratio of
-- allocation_shared_pool_targets). Targets rules are read on the first day of the period.
with charge_groups as (

    select * from {{ ref('int_allocation_charge_groups') }}

),

pool_targets as (

    select * from {{ ref('allocation_shared_pool_targets') }}

),

metric_owners as (

    select * from {{ ref('allocation_metric_owners') }}

),

business_metrics as (

    select * from {{ ref('stg_business_metrics__daily_metrics') }}

),

pools as (

    select distinct
        SharedPoolId,
        SharedPoolSplitMethod,
        SharedPoolSplitBasis,
        BillingPeriodStart,
        BillingCurrency
    from charge_groups
    where SharedPoolId is not null

),

-- Direct cost that stays with a real owner: the population even and proportional pools split on.
direct_cost as (

    select
        BillingPeriodStart,
        BillingCurrency,
        Owner,
        sum(EffectiveCost) as EffectiveCost,
        sum(BilledCost) as BilledCost
    from charge_groups
    where SharedPoolId is null and Owner != 'Unallocated'
    group by BillingPeriodStart, BillingCurrency, Owner

),

owner_metrics as (

    select
        {{ month_start('business_metrics.metric_date') }} as BillingPeriodStart,
        business_metrics.metric,
        metric_owners.owner,
        sum(business_metrics.metric_value) as metric_value
    from business_metrics
    inner join metric_owners
        on
            business_metrics.product = metric_owners.product
            and {{ rule_is_valid('metric_owners', 'business_metrics.metric_date') }}
    group by
        {{ month_start('business_metrics.metric_date') }},
        business_metrics.metric,
        metric_owners.owner

),

weights as (

    select
        pools.*,
        direct_cost.Owner as TargetOwner,
        case
            when pools.SharedPoolSplitMethod = 'even' then cast(1 as {{ money() }})
            when pools.SharedPoolSplitBasis = 'BilledCost' then direct_cost.BilledCost
            else direct_cost.EffectiveCost
        end as Weight
    from pools
    inner join direct_cost
        on
            pools.BillingPeriodStart = direct_cost.BillingPeriodStart
            and pools.BillingCurrency = direct_cost.BillingCurrency
    where pools.SharedPoolSplitMethod in ('even', 'proportional')

    union all

    select
        pools.*,
        owner_metrics.owner as TargetOwner,
        owner_metrics.metric_value as Weight
    from pools
    inner join owner_metrics
        on
            pools.BillingPeriodStart = owner_metrics.BillingPeriodStart
            and pools.SharedPoolSplitBasis = owner_metrics.metric
    where pools.SharedPoolSplitMethod = 'metric'

    union all

    select
        pools.*,
        pool_targets.target_owner as TargetOwner,
        pool_targets.fixed_ratio as Weight
    from pools
    inner join pool_targets
        on
            pools.SharedPoolId = pool_targets.pool_id
            and pool_targets.action = 'fixed'
            and {{ rule_is_valid('pool_targets', 'pools.BillingPeriodStart') }}
    where pools.SharedPoolSplitMethod = 'fixed'

),

eligible as (

    select weights.*
    from weights
    left join pool_targets as exclusions
        on
            weights.SharedPoolId = exclusions.pool_id
            and weights.TargetOwner = exclusions.target_owner
            and exclusions.action = 'exclude'
            and {{ rule_is_valid('exclusions', 'weights.BillingPeriodStart') }}
    where exclusions.pool_id is null and weights.Weight > 0

),

totals as (

    select
        SharedPoolId,
        SharedPoolSplitMethod,
        SharedPoolSplitBasis,
        BillingPeriodStart,
        BillingCurrency,
        sum(Weight) as TotalWeight
    from eligible
    group by
        SharedPoolId,
        SharedPoolSplitMethod,
        SharedPoolSplitBasis,
        BillingPeriodStart,
        BillingCurrency

)

select
    eligible.SharedPoolId,
    eligible.SharedPoolSplitMethod,
    eligible.SharedPoolSplitBasis,
    eligible.BillingPeriodStart,
    eligible.BillingCurrency,
    eligible.TargetOwner,
    eligible.Weight,
    {{ divide_money('eligible.Weight', 'totals.TotalWeight') }} as AllocationRatio,
    row_number() over (
        partition by
            eligible.SharedPoolId,
            eligible.SharedPoolSplitMethod,
            eligible.SharedPoolSplitBasis,
            eligible.BillingPeriodStart,
            eligible.BillingCurrency
        order by eligible.Weight desc, eligible.TargetOwner asc
    ) as RemainderRank
from eligible
inner join totals
    on
        eligible.SharedPoolId = totals.SharedPoolId
        and eligible.SharedPoolSplitMethod = totals.SharedPoolSplitMethod
        and eligible.SharedPoolSplitBasis is not distinct from totals.SharedPoolSplitBasis
        and eligible.BillingPeriodStart = totals.BillingPeriodStart
        and eligible.BillingCurrency = totals.BillingCurrency
