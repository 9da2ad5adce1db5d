-- The charge days whose data is complete: every loaded day before the day the data ends, where
-- the data ends at the earliest end of usage among the providers billed for the latest billing
-- period (GCP's invoice month runs on Pacific time, so its August reaches 1 September UTC while
-- the others stop on 31 August). Forecasts and budget status are made as of these days only,
-- so a day that is still arriving never looks like a drop in spend.
with usage as (

    select
        ProviderName,
        x_BillingPeriod,
        ChargePeriodEnd
    from {{ ref('fct_cost_and_usage') }}
    where ChargeCategory = 'Usage'

),

latest_period as (

    select max(x_BillingPeriod) as BillingPeriod
    from usage

),

provider_ends as (

    select
        usage.ProviderName,
        max(usage.ChargePeriodEnd) as UsageEnd
    from usage
    inner join latest_period
        on usage.x_BillingPeriod = latest_period.BillingPeriod
    group by usage.ProviderName

),

data_end as (

    select cast(min(UsageEnd) as date) as FirstIncompleteDay
    from provider_ends

)

select distinct cast(charges.ChargePeriodStart as date) as ChargeDay
from {{ ref('fct_cost_and_usage') }} as charges
cross join data_end
where cast(charges.ChargePeriodStart as date) < data_end.FirstIncompleteDay
