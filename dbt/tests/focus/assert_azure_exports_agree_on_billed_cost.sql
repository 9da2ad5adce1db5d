-- Azure: Σ BilledCost of fct_cost_and_usage per billing account, billing period and currency
-- equals Σ cost of the actual-cost export, to the cent. BilledCost follows Microsoft's
-- conversion (usage from the amortized export, commitment purchases and refunds from the
-- actual one), so a difference means the two exports do not hold the same charges: they were
-- taken at different times (a month-to-date export of another day) or one is an excerpt.
-- A warning, not a failure: the invoice reconciliation decides whether the month can close.
-- Shown in Dagster (and the run summary) as a warning check of fct_cost_and_usage.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_cost_and_usage'}}}) }}

with actual_export as (

    select
        billing_account_id,
        _billing_period as billing_period,
        billing_currency_code as currency,
        sum(cost_in_billing_currency) as actual_cost
    from {{ ref('stg_azure__actual_cost') }}
    group by billing_account_id, _billing_period, billing_currency_code

),

billed as (

    select
        BillingAccountId as billing_account_id,
        x_BillingPeriod as billing_period,
        BillingCurrency as currency,
        sum(BilledCost) as billed_cost
    from {{ ref('fct_cost_and_usage') }}
    where x_SourceFormat in ('azure_actual', 'azure_amortized')
    group by BillingAccountId, x_BillingPeriod, BillingCurrency

)

select
    coalesce(actual_export.billing_account_id, billed.billing_account_id) as billing_account_id,
    coalesce(actual_export.billing_period, billed.billing_period) as billing_period,
    coalesce(actual_export.currency, billed.currency) as currency,
    actual_export.actual_cost,
    billed.billed_cost,
    coalesce(billed.billed_cost, 0) - coalesce(actual_export.actual_cost, 0) as difference
from actual_export
full outer join billed
    on
        actual_export.billing_account_id = billed.billing_account_id
        and actual_export.billing_period = billed.billing_period
        and actual_export.currency = billed.currency
where
    actual_export.actual_cost is null
    or billed.billed_cost is null
    or abs(billed.billed_cost - actual_export.actual_cost) >= 0.005
