-- A fixed split hands out the whole pool: its ratios sum to 1 for every period they cover
-- (checked on each valid_from of the pool's fixed targets).
with fixed_targets as (

    select * from {{ ref('allocation_shared_pool_targets') }}
    where action = 'fixed'

),

change_days as (

    select distinct
        pool_id,
        valid_from as change_day
    from fixed_targets

)

select
    change_days.pool_id,
    change_days.change_day,
    sum(fixed_targets.fixed_ratio) as ratio_sum
from change_days
inner join fixed_targets
    on
        change_days.pool_id = fixed_targets.pool_id
        and {{ rule_is_valid('fixed_targets', 'change_days.change_day') }}
group by change_days.pool_id, change_days.change_day
having sum(fixed_targets.fixed_ratio) != 1
