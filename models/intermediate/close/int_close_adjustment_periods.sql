-- Where the adjustments of each closed month land: the first open month after it, i.e. the
-- month after it or after a closed month that follows it, whichever is the earliest not closed
-- (docs/close.md). A closed month never changes; its restatements are booked there.

with closed_periods as (

    select BillingPeriodStart from {{ ref('stg_close__closed_periods') }}

),

landing_candidates as (

    select
        corrected.BillingPeriodStart as CorrectsBillingPeriodStart,
        cast({{ dbt.dateadd('month', 1, 'later.BillingPeriodStart') }} as date) as Candidate
    from closed_periods as corrected
    inner join closed_periods as later
        on corrected.BillingPeriodStart <= later.BillingPeriodStart

)

select
    CorrectsBillingPeriodStart,
    min(Candidate) as AdjustmentBillingPeriodStart
from landing_candidates
where Candidate not in (select closed_periods.BillingPeriodStart from closed_periods)
group by CorrectsBillingPeriodStart
