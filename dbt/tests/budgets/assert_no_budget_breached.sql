-- A budget whose spend has reached its amount in the latest complete day's period: one row per
-- breached budget. A warning, not a failure: spend past a budget is news for its owner, not an
-- error of the data. Shown in Dagster (and the `finops run` summary) as a warning check of
-- fct_budget_status.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_budget_status'}}}) }}

with latest as (

    select max(AsOfDate) as AsOfDate from {{ ref('fct_budget_status') }}

)

select
    status.BudgetId,
    status.PeriodStart,
    status.BudgetAmount,
    status.ActualToDate,
    status.BillingCurrency
from {{ ref('fct_budget_status') }} as status
inner join latest
    on status.AsOfDate = latest.AsOfDate
where status.AlertLevel = 'breached'
