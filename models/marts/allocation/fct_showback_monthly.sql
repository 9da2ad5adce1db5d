-- Monthly showback per owner and environment: the ledger summed, direct cost (the owner's own
-- charges, the pool owner's included) apart from shared cost (pool shares received, pool
-- offsets given), and the chargeback amounts rounded to the cent so the rounded rows of a
-- period and currency still sum to its rounded total (largest remainder). Beside them, the
-- amounts in the reporting currency at the month's rate (docs/currency.md).
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with ledger as (

    select * from {{ ref('fct_cost_allocation') }}
    where {{ in_billing_periods('BillingPeriodStart') }}

),

monthly as (

    select
        BillingPeriodStart,
        Owner,
        Environment,
        BillingCurrency,
        -- Hierarchy changes take effect on the first of a month (tested on allocation_owners).
        max(Team) as Team,
        max(BusinessUnit) as BusinessUnit,
        max(CostCenter) as CostCenter,
        sum(case when SharedPoolId is null then AllocatedEffectiveCost else 0 end)
            as DirectEffectiveCost,
        sum(case when SharedPoolId is not null then AllocatedEffectiveCost else 0 end)
            as SharedEffectiveCost,
        sum(AllocatedEffectiveCost) as EffectiveCost,
        sum(case when SharedPoolId is null then AllocatedBilledCost else 0 end)
            as DirectBilledCost,
        sum(case when SharedPoolId is not null then AllocatedBilledCost else 0 end)
            as SharedBilledCost,
        sum(AllocatedBilledCost) as BilledCost
    from ledger
    group by BillingPeriodStart, Owner, Environment, BillingCurrency

),

rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

converted as (

    select
        monthly.*,
        rates.ExchangeRateDate as found_rate_date,
        {{ reporting_rate('rates.ExchangeRate', 'monthly.BillingCurrency',
            'monthly.BillingPeriodStart') }} as ExchangeRate
    from monthly
    left join rates
        on
            monthly.BillingPeriodStart = rates.RateMonth
            and monthly.BillingCurrency = rates.FromCurrency

)

select
    BillingPeriodStart,
    BillingPeriodStart as BillingMonth,
    Owner,
    Environment,
    BillingCurrency,
    Team,
    BusinessUnit,
    CostCenter,
    cast(DirectEffectiveCost as {{ money() }}) as DirectEffectiveCost,
    cast(SharedEffectiveCost as {{ money() }}) as SharedEffectiveCost,
    cast(EffectiveCost as {{ money() }}) as EffectiveCost,
    cast(DirectBilledCost as {{ money() }}) as DirectBilledCost,
    cast(SharedBilledCost as {{ money() }}) as SharedBilledCost,
    cast(BilledCost as {{ money() }}) as BilledCost,
    {{ largest_remainder_round(
        'EffectiveCost', ['BillingPeriodStart', 'BillingCurrency'], ['Owner', 'Environment']
    ) }} as EffectiveCostRounded,
    {{ largest_remainder_round(
        'BilledCost', ['BillingPeriodStart', 'BillingCurrency'], ['Owner', 'Environment']
    ) }} as BilledCostRounded,
    '{{ reporting_currency() }}' as ReportingCurrency,
    ExchangeRate,
    -- The reporting currency's own rate, 1, holds for the whole month.
    coalesce(found_rate_date, BillingPeriodStart) as ExchangeRateDate,
    cast(EffectiveCost * ExchangeRate as {{ money() }}) as EffectiveCostInReportingCurrency,
    cast(BilledCost * ExchangeRate as {{ money() }}) as BilledCostInReportingCurrency
from converted
