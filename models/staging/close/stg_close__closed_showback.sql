-- What each close froze at the grain of its extracts (close.closed_showback, written by
-- `finops close`; created empty by the project's on-run-start hook).

with source as (

    select * from {{ source('close', 'closed_showback') }}

)

select
    ClosedBillingPeriodStart,
    BillingPeriodStart,
    Owner,
    Team,
    BusinessUnit,
    CostCenter,
    Environment,
    BillingCurrency,
    BilledCost,
    EffectiveCost
from source
