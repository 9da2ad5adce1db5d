-- One row per source charge group: the charges of one day, account, service, category and
-- currency that share an owner, environment and rule (int_allocation_direct.ChargeGroupId),
-- summed, with the shared pool that collects the group (allocation_shared_pools: every
-- non-empty match_ column equal, lowest priority first), NULL when it stays with its owner.
with direct as (

    select * from {{ ref('int_allocation_direct') }}

),

shared_pools as (

    select * from {{ ref('allocation_shared_pools') }}

),

charge_groups as (

    select
        ChargeGroupId,
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
        AllocationMethod,
        AllocationRuleId,
        AllocationReason,
        sum(EffectiveCost) as EffectiveCost,
        sum(BilledCost) as BilledCost
    from direct
    group by
        ChargeGroupId,
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
        AllocationMethod,
        AllocationRuleId,
        AllocationReason

),

pool_matches as (

    select
        charge_groups.ChargeGroupId,
        shared_pools.pool_id,
        shared_pools.split_method,
        shared_pools.split_basis,
        row_number() over (
            partition by charge_groups.ChargeGroupId order by shared_pools.priority
        ) as pool_rank
    from charge_groups
    inner join shared_pools
        on
            (
                shared_pools.match_provider_name is null
                or charge_groups.ProviderName = shared_pools.match_provider_name
            )
            and (
                shared_pools.match_service_name is null
                or charge_groups.ServiceName = shared_pools.match_service_name
            )
            and (
                shared_pools.match_charge_category is null
                or charge_groups.ChargeCategory = shared_pools.match_charge_category
            )
            and (
                shared_pools.match_owner is null
                or charge_groups.Owner = shared_pools.match_owner
            )
            and {{ rule_is_valid('shared_pools', 'charge_groups.ChargeDay') }}

)

select
    charge_groups.*,
    pool_matches.pool_id as SharedPoolId,
    pool_matches.split_method as SharedPoolSplitMethod,
    pool_matches.split_basis as SharedPoolSplitBasis
from charge_groups
left join pool_matches
    on
        charge_groups.ChargeGroupId = pool_matches.ChargeGroupId
        and pool_matches.pool_rank = 1
