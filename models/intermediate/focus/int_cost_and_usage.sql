-- The FOCUS rows of every source, stored: each format model's mapping runs once per build and
-- billing month, here. fct_cost_and_usage publishes the FOCUS columns under its contract;
-- int_focus_vocabulary_gaps_monthly counts the vocabulary the mapping did not know, which the
-- mart leaves out. Reading the mapping views twice (once for each) mapped every month twice.
-- Incremental by billing month (docs/dbt.md); on BigQuery partitioned by billing month.
{{ config(**billing_period_incremental('x_BillingPeriod')) }}

select *
from {{ ref('int_cost_and_usage_unioned') }}
where {{ in_billing_periods('x_BillingPeriod') }}
