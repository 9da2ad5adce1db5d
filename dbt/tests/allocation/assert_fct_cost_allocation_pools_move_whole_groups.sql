-- Every pooled charge group leaves its owner whole: its offset is the group negated and its
-- target rows sum exactly to the group, so a pool neither loses nor creates a cent.
with ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

per_group as (

    select
        ChargeGroupId,
        sum(case when LedgerEntry = 'direct' then AllocatedEffectiveCost end) as direct_effective,
        sum(case when LedgerEntry = 'pool offset' then AllocatedEffectiveCost end)
            as offset_effective,
        sum(case when LedgerEntry = 'pool target' then AllocatedEffectiveCost end)
            as target_effective,
        sum(case when LedgerEntry = 'direct' then AllocatedBilledCost end) as direct_billed,
        sum(case when LedgerEntry = 'pool offset' then AllocatedBilledCost end) as offset_billed,
        sum(case when LedgerEntry = 'pool target' then AllocatedBilledCost end) as target_billed
    from ledger
    group by ChargeGroupId

)

select *
from per_group
where
    (offset_effective is null) != (target_effective is null)
    or offset_effective != -direct_effective
    or target_effective != direct_effective
    or offset_billed != -direct_billed
    or target_billed != direct_billed
