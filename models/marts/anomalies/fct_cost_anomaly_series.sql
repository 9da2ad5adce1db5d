-- What anomaly detection watches: each series, and whether it has the history to be judged.
with days as (

    select * from {{ ref('int_cost_anomaly_days') }}

),

series as (

    select
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        BillingCurrency,
        min(ChargeDate) as FirstDay,
        max(LastCompleteDay) as LastCompleteDay,
        min(case when HasHistory then ChargeDate end) as FirstJudgedDay,
        count(case when HasHistory then 1 end) as JudgedDays,
        count(case when IsAnomalous then 1 end) as AnomalousDays,
        max(case when ChargeDate = LastCompleteDay then HasHistory end) as HasHistory
    from days
    group by
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        BillingCurrency

)

select
    ProviderName,
    BillingAccountId,
    SubAccountId,
    ServiceName,
    BillingCurrency,
    FirstDay,
    LastCompleteDay,
    FirstJudgedDay,
    JudgedDays,
    AnomalousDays,
    case
        when coalesce(HasHistory, false) then 'monitored' else 'insufficient_history'
    end as MonitoringStatus
from series
