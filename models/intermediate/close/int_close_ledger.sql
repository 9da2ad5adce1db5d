-- The ledger a close freezes: fct_cost_and_usage summed per billing month, account, sub
-- account, invoice, service, charge category and currency. Fine enough to say which charges a
-- later restatement changed, small enough to snapshot at every close (close.closed_ledger).

with charges as (

    select * from {{ ref('fct_cost_and_usage') }}

)

select
    x_BillingPeriod as BillingPeriodStart,
    BillingAccountId,
    SubAccountId,
    InvoiceId,
    ServiceName,
    ChargeCategory,
    BillingCurrency,
    sum(BilledCost) as BilledCost,
    sum(EffectiveCost) as EffectiveCost

from charges
group by
    x_BillingPeriod,
    BillingAccountId,
    SubAccountId,
    InvoiceId,
    ServiceName,
    ChargeCategory,
    BillingCurrency
