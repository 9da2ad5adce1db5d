-- What each close froze at the grain of int_close_ledger (close.closed_ledger, written by
-- `finops close`; created empty by the project's on-run-start hook).

with source as (

    select * from {{ source('close', 'closed_ledger') }}

)

select
    ClosedBillingPeriodStart,
    BillingPeriodStart,
    BillingAccountId,
    SubAccountId,
    InvoiceId,
    ServiceName,
    ChargeCategory,
    BillingCurrency,
    BilledCost,
    EffectiveCost
from source
