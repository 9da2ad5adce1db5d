-- The lines of the close extracts of each open month, as `finops close` writes them: the
-- chargeback (BilledCost per cost center, owner, team, business unit) and the showback
-- (EffectiveCost, the same plus environment), summed from fct_close_extract_details and
-- rounded to the cent apart per month, extract, currency and part (the month's own rows; the
-- adjustments of each corrected month), so the own rows tie to the month's invoices and each
-- adjustment to its restatement (docs/close.md). Ties of the rounding go by the extract key,
-- empty first, as the extract lists its rows. A view: it reads the close state as it is when
-- the close reads it, with no rebuild in between.
{{ config(materialized='view') }}

with details as (

    select * from {{ ref('fct_close_extract_details') }}

),

chargeback as (

    select
        BillingPeriodStart,
        'chargeback' as ExtractName,
        RowType,
        CorrectsBillingPeriodStart,
        BillingCurrency,
        CostCenter,
        Owner,
        Team,
        BusinessUnit,
        cast(null as {{ dbt.type_string() }}) as Environment,
        sum(BilledCost) as Amount
    from details
    group by
        BillingPeriodStart,
        RowType,
        CorrectsBillingPeriodStart,
        BillingCurrency,
        CostCenter,
        Owner,
        Team,
        BusinessUnit

),

showback as (

    select
        BillingPeriodStart,
        'showback' as ExtractName,
        RowType,
        CorrectsBillingPeriodStart,
        BillingCurrency,
        CostCenter,
        Owner,
        Team,
        BusinessUnit,
        Environment,
        sum(EffectiveCost) as Amount
    from details
    group by
        BillingPeriodStart,
        RowType,
        CorrectsBillingPeriodStart,
        BillingCurrency,
        CostCenter,
        Owner,
        Team,
        BusinessUnit,
        Environment

),

lines as (

    select * from chargeback
    union all
    select * from showback

)

select
    BillingPeriodStart,
    BillingPeriodStart as BillingMonth,
    ExtractName,
    RowType,
    CorrectsBillingPeriodStart,
    BillingCurrency,
    CostCenter,
    Owner,
    Team,
    BusinessUnit,
    Environment,
    cast(Amount as {{ money() }}) as Amount,
    {{ largest_remainder_round(
        'Amount',
        ['BillingPeriodStart', 'ExtractName', 'BillingCurrency', 'RowType',
         'CorrectsBillingPeriodStart'],
        ["coalesce(CostCenter, '')", "coalesce(Owner, '')", "coalesce(Team, '')",
         "coalesce(BusinessUnit, '')", "coalesce(Environment, '')"]
    ) }} as AmountRounded
from lines
