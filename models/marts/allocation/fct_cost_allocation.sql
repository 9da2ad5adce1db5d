-- The allocation ledger: every charge group of fct_cost_and_usage on its direct owner, and each
-- shared pool moved to its targets as an offset row (the group, negated, on the pool's owner)
-- plus one positive row per target. Per billing period and currency the rows sum exactly to
-- fct_cost_and_usage on both cost bases (tested): a proportional split rounds every part to
-- 10 decimals and puts what is left on the target of RemainderRank 1.
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charge_groups as (

    select * from {{ ref('int_allocation_charge_groups') }}

),

coefficients as (

    select * from {{ ref('int_allocation_shared_pool_coefficients') }}

),

owners as (

    select * from {{ ref('allocation_owners') }}

),

-- Pools with at least one target in the period and currency; any other pool stays put.
split_pools as (

    select distinct
        SharedPoolId,
        SharedPoolSplitMethod,
        SharedPoolSplitBasis,
        BillingPeriodStart,
        BillingCurrency
    from coefficients

),

moved_groups as (

    select charge_groups.*
    from charge_groups
    inner join split_pools
        on
            charge_groups.SharedPoolId = split_pools.SharedPoolId
            and charge_groups.SharedPoolSplitMethod = split_pools.SharedPoolSplitMethod
            and charge_groups.SharedPoolSplitBasis
            is not distinct from split_pools.SharedPoolSplitBasis
            and charge_groups.BillingPeriodStart = split_pools.BillingPeriodStart
            and charge_groups.BillingCurrency = split_pools.BillingCurrency

),

direct_rows as (

    select
        ChargeGroupId,
        'direct' as LedgerEntry,
        BillingPeriodStart,
        ChargeDay,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        Owner,
        Environment,
        EffectiveCost as AllocatedEffectiveCost,
        BilledCost as AllocatedBilledCost,
        AllocationRuleId,
        AllocationMethod,
        cast(1 as {{ money() }}) as AllocationRatio,
        AllocationReason,
        cast(null as {{ dbt.type_string() }}) as SharedPoolId
    from charge_groups

),

offset_rows as (

    select
        ChargeGroupId,
        'pool offset' as LedgerEntry,
        BillingPeriodStart,
        ChargeDay,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        Owner,
        Environment,
        -EffectiveCost as AllocatedEffectiveCost,
        -BilledCost as AllocatedBilledCost,
        SharedPoolId as AllocationRuleId,
        'shared-' || SharedPoolSplitMethod as AllocationMethod,
        cast(-1 as {{ money() }}) as AllocationRatio,
        'moved to the targets of shared pool ' || SharedPoolId as AllocationReason,
        SharedPoolId
    from moved_groups

),

target_parts as (

    select
        moved_groups.*,
        coefficients.TargetOwner,
        coefficients.AllocationRatio,
        coefficients.RemainderRank,
        cast(moved_groups.EffectiveCost * coefficients.AllocationRatio as {{ money() }})
            as EffectiveCostPart,
        cast(moved_groups.BilledCost * coefficients.AllocationRatio as {{ money() }})
            as BilledCostPart
    from moved_groups
    inner join coefficients
        on
            moved_groups.SharedPoolId = coefficients.SharedPoolId
            and moved_groups.SharedPoolSplitMethod = coefficients.SharedPoolSplitMethod
            and moved_groups.SharedPoolSplitBasis
            is not distinct from coefficients.SharedPoolSplitBasis
            and moved_groups.BillingPeriodStart = coefficients.BillingPeriodStart
            and moved_groups.BillingCurrency = coefficients.BillingCurrency

),

-- The remainder step: the parts of a group sum exactly to the group.
target_rows as (

    select
        ChargeGroupId,
        'pool target' as LedgerEntry,
        BillingPeriodStart,
        ChargeDay,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        TargetOwner as Owner,  -- noqa: RF04
        Environment,
        EffectiveCostPart + case
            when RemainderRank = 1
                then EffectiveCost - sum(EffectiveCostPart) over (partition by ChargeGroupId)
            else 0
        end as AllocatedEffectiveCost,
        BilledCostPart + case
            when RemainderRank = 1
                then BilledCost - sum(BilledCostPart) over (partition by ChargeGroupId)
            else 0
        end as AllocatedBilledCost,
        SharedPoolId as AllocationRuleId,
        'shared-' || SharedPoolSplitMethod as AllocationMethod,
        AllocationRatio,
        'share of shared pool ' || SharedPoolId || ' from ' || Owner as AllocationReason,
        SharedPoolId
    from target_parts

),

ledger as (

    select * from direct_rows
    union all
    select * from offset_rows
    union all
    select * from target_rows

)

select
    {{ allocation_row_id(['ledger.ChargeGroupId', 'ledger.LedgerEntry', 'ledger.Owner']) }}
        as AllocationRowId,
    ledger.ChargeGroupId,
    ledger.LedgerEntry,
    ledger.BillingPeriodStart,
    ledger.BillingPeriodStart as BillingMonth,
    ledger.ChargeDay as ChargePeriodStart,
    ledger.ProviderName,
    ledger.BillingAccountId,
    ledger.SubAccountId,
    ledger.ServiceName,
    ledger.ChargeCategory,
    ledger.BillingCurrency,
    ledger.Owner,
    coalesce(owners.team, 'Unallocated') as Team,
    coalesce(owners.business_unit, 'Unallocated') as BusinessUnit,
    coalesce(owners.cost_center, 'Unallocated') as CostCenter,
    ledger.Environment,
    cast(ledger.AllocatedEffectiveCost as {{ money() }}) as AllocatedEffectiveCost,
    cast(ledger.AllocatedBilledCost as {{ money() }}) as AllocatedBilledCost,
    ledger.AllocationRuleId,
    ledger.AllocationMethod,
    ledger.AllocationRatio,
    ledger.AllocationReason,
    ledger.SharedPoolId
from ledger
left join owners
    on
        ledger.Owner = owners.owner
        and {{ rule_is_valid('owners', 'ledger.ChargeDay') }}
where {{ in_billing_periods('ledger.BillingPeriodStart') }}
