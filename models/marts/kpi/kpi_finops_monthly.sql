-- The FinOps KPIs of every family in one long table: one row per billing period, provider,
-- currency, KPI and dimension. A new KPI family adds rows, not columns: it builds its own
-- intermediate model with the same columns and joins the union below.
with allocation_kpis as (

    select * from {{ ref('int_allocation_kpis_monthly') }}

),

unit_economics_kpis as (

    select * from {{ ref('int_unit_cost_kpis_monthly') }}

),

kpis as (

    select * from allocation_kpis
    union all
    select * from unit_economics_kpis

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
    KpiDenominator
from kpis
