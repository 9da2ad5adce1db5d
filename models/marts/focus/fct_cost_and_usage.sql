-- The FOCUS 1.2 Cost and Usage dataset of every loaded export: one row per charge, FOCUS
-- columns under their spec names, 1.3 columns as nullable extras, x_ columns for provenance.
-- The rules per format are in models/intermediate/focus (docs/focus-mapping.md), whose
-- rows int_cost_and_usage stores; this mart fixes the public contract. Incremental by billing
-- month (docs/dbt.md); on BigQuery partitioned by billing month, clustered by billing account
-- and service.
{{ config(
    cluster_by=(['BillingAccountId', 'ServiceName'] if target.type == 'bigquery' else none),
    **billing_period_incremental('x_BillingPeriod')
) }}

with mapped as (

    select * from {{ ref('int_cost_and_usage') }}

)

-- The contract's columns, in its order (macros/focus/focus_columns.sql).
select {{ focus_column_names() }}
from mapped
where {{ in_billing_periods('x_BillingPeriod') }}
