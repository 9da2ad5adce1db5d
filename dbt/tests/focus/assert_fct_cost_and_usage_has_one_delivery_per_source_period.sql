-- No delivery is counted twice: the rows of one format, billing account and billing period
-- come from exactly one file. Two files there mean a restated month was appended instead of
-- replacing the older delivery, and every total of that month would be doubled.
select
    x_SourceFormat as source_format,
    BillingAccountId as billing_account_id,
    x_BillingPeriod as billing_period,
    count(distinct x_ManifestId) as deliveries
from {{ ref('fct_cost_and_usage') }}
group by x_SourceFormat, BillingAccountId, x_BillingPeriod
having count(distinct x_ManifestId) > 1
