-- The FinOps KPIs of every family in one long table: one row per billing period, provider,
-- currency, KPI and dimension. A new KPI family adds rows, not columns: its domain builds an
-- ephemeral kpi_<family>_monthly mart with the same columns, which joins the union below.
-- Money KPIs (an amount, or an amount per unit) are also given in the reporting currency
-- (docs/currency.md).
with allocation_kpis as (

    select * from {{ ref('kpi_allocation_monthly') }}

),

unit_economics_kpis as (

    select * from {{ ref('kpi_unit_economics_monthly') }}

),

kpis as (

    select * from allocation_kpis
    union all
    select * from unit_economics_kpis

),

rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

converted as (

    select
        kpis.*,
        rates.ExchangeRateDate as found_rate_date,
        {{ reporting_rate('rates.ExchangeRate', 'kpis.BillingCurrency',
            'kpis.BillingPeriodStart') }} as ExchangeRate
    from kpis
    left join rates
        on
            kpis.BillingPeriodStart = rates.RateMonth
            and kpis.BillingCurrency = rates.FromCurrency

)

select
    BillingPeriodStart,
    BillingPeriodStart as BillingMonth,
    ProviderName,
    BillingCurrency,
    KpiFamily,
    KpiName,
    KpiDimension,
    KpiUnit,
    KpiValue,
    KpiNumerator,
    KpiDenominator,
    '{{ reporting_currency() }}' as ReportingCurrency,
    ExchangeRate,
    -- The reporting currency's own rate, 1, holds for the whole month.
    coalesce(found_rate_date, BillingPeriodStart) as ExchangeRateDate,
    -- A ratio has no currency: only amounts are converted.
    case
        when KpiUnit != 'ratio' then cast(KpiValue * ExchangeRate as {{ money() }})
    end as KpiValueInReportingCurrency
from converted
