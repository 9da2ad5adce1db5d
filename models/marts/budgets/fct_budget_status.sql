-- Budget status per budget and complete day: spend to date in the budget's period, the forecast
-- at the period's end (macros/forecast/run_rate_forecast.sql), and the thresholds crossed.
-- Spend comes from the allocation ledger, whose rows carry every scope a budget can name; a
-- scope of charge columns (all, billing account, service) sums to fct_cost_and_usage exactly,
-- since a pool offset and its targets keep the source charge's columns.
with budgets as (

    select * from {{ ref('budgets') }}

),

thresholds as (

    select * from {{ ref('budget_thresholds') }}

),

ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

calendar as (

    select * from {{ ref('int_charge_days_complete') }}

),

-- A budget counts the charges of its scope, currency and validity, on its cost basis.
scoped as (

    select
        budgets.budget_id as ScopeKey,
        ledger.BillingCurrency,
        ledger.ChargePeriodStart as ChargeDay,
        ledger.ChargeCategory,
        case
            when budgets.cost_basis = 'billed' then ledger.AllocatedBilledCost
            else ledger.AllocatedEffectiveCost
        end as Cost
    from budgets
    inner join ledger
        on
            budgets.currency = ledger.BillingCurrency
            and {{ rule_is_valid('budgets', 'ledger.ChargePeriodStart') }}
            and case budgets.scope_type
                when 'all' then true
                when 'billing account' then ledger.BillingAccountId = budgets.scope_value
                when 'service' then ledger.ServiceName = budgets.scope_value
                when 'owner' then ledger.Owner = budgets.scope_value
                when 'team' then ledger.Team = budgets.scope_value
                when 'cost center' then ledger.CostCenter = budgets.scope_value
                when 'business unit' then ledger.BusinessUnit = budgets.scope_value
                else false
            end

),

-- Same split as fct_cost_forecast: usage runs at a daily rate, fees and tax recur monthly.
series as (

    select
        ScopeKey,
        BillingCurrency,
        ChargeDay,
        Cost,
        case when ChargeCategory = 'Usage' then Cost else 0 end as UsageCost,
        case when ChargeCategory in ('Purchase', 'Tax') then Cost else 0 end as RecurringCost
    from scoped

),

targets as (

    select
        budgets.budget_id as ScopeKey,
        budgets.currency as BillingCurrency,
        calendar.ChargeDay as AsOfDate,
        {{ period_start('calendar.ChargeDay', 'budgets.period') }} as PeriodStart,
        {{ add_months(
            period_start('calendar.ChargeDay', 'budgets.period'),
            "case budgets.period when 'month' then 1 when 'quarter' then 3 else 12 end"
        ) }} as PeriodEnd
    from budgets
    inner join calendar
        on {{ rule_is_valid('budgets', 'calendar.ChargeDay') }}

),

forecasts as (

    {{ run_rate_forecast('series', 'targets') }}

),

status as (

    select
        forecasts.ScopeKey as BudgetId,
        forecasts.AsOfDate,
        budgets.scope_type as ScopeType,
        budgets.scope_value as ScopeValue,
        budgets.period as BudgetPeriod,
        forecasts.PeriodStart,
        {{ date_plus_days('forecasts.PeriodEnd', -1) }} as PeriodEnd,
        budgets.cost_basis as CostBasis,
        forecasts.BillingCurrency,
        budgets.amount as BudgetAmount,
        forecasts.ActualToDate,
        forecasts.Forecast,
        forecasts.ForecastLower80,
        forecasts.ForecastUpper80,
        forecasts.ForecastLower95,
        forecasts.ForecastUpper95,
        forecasts.ForecastStatus,
        forecasts.ForecastReason
    from forecasts
    inner join budgets
        on
            forecasts.ScopeKey = budgets.budget_id
            and {{ rule_is_valid('budgets', 'forecasts.AsOfDate') }}

),

-- The highest threshold each measure has reached: amount x percent / 100, multiplied (DuckDB
-- divides decimals in floating point).
crossed as (

    select
        status.BudgetId,
        status.AsOfDate,
        max(
            case
                when
                    thresholds.measure = 'actual'
                    and status.ActualToDate
                    >= status.BudgetAmount * thresholds.threshold_percent * 0.01
                    then thresholds.threshold_percent
            end
        ) as ActualThresholdPercent,
        max(
            case
                when
                    thresholds.measure = 'forecast'
                    and status.Forecast
                    >= status.BudgetAmount * thresholds.threshold_percent * 0.01
                    then thresholds.threshold_percent
            end
        ) as ForecastThresholdPercent
    from status
    inner join thresholds
        on status.BudgetId = thresholds.budget_id
    group by status.BudgetId, status.AsOfDate

)

select
    status.BudgetId,
    status.AsOfDate,
    status.ScopeType,
    status.ScopeValue,
    status.BudgetPeriod,
    status.PeriodStart,
    status.PeriodEnd,
    status.CostBasis,
    status.BillingCurrency,
    status.BudgetAmount,
    status.ActualToDate,
    status.BudgetAmount - status.ActualToDate as RemainingBudget,
    {{ share('status.ActualToDate', 'status.BudgetAmount') }} as ShareConsumed,
    status.Forecast,
    status.ForecastLower80,
    status.ForecastUpper80,
    status.ForecastLower95,
    status.ForecastUpper95,
    status.Forecast - status.BudgetAmount as ForecastVariance,
    status.ForecastStatus,
    status.ForecastReason,
    crossed.ActualThresholdPercent,
    crossed.ForecastThresholdPercent,
    case
        when status.ActualToDate >= status.BudgetAmount then 'breached'
        when crossed.ActualThresholdPercent is not null then 'actual threshold'
        when crossed.ForecastThresholdPercent is not null then 'forecast threshold'
        else 'ok'
    end as AlertLevel
from status
left join crossed
    on
        status.BudgetId = crossed.BudgetId
        and status.AsOfDate = crossed.AsOfDate
