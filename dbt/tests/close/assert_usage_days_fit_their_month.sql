-- A month cannot hold more days of usage than it has days.
select
    BillingPeriodStart,
    BillingAccountId,
    DaysOfUsagePresent,
    DaysInPeriod
from {{ ref('dim_billing_period') }}
where DaysOfUsagePresent > DaysInPeriod
