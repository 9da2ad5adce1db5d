-- One row per billing month, provider x sub account x service category, currency, charge day,
-- commitment and direct owner of the charges: what the covered usage costs more at on-demand
-- (contracted) rates than amortized (CoveredDelta), the figure the forecast moves to on-demand
-- rates once the commitment ends (docs/forecasts.md, "Known events"). Owner is the charges'
-- direct owner (int_allocation_direct), NULL where a charge has none. Incremental by billing
-- month: a month's sums read only its own charges and their owners.
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charges as (

    select
        x_RowId,
        x_BillingPeriod as BillingPeriodStart,
        {{ forecast_scope_key() }} as ScopeKey,
        BillingCurrency,
        cast(ChargePeriodStart as date) as ChargeDay,
        CommitmentDiscountId,
        -- an Unused row's amortized cost ends with the commitment, and covers nothing
        case
            when CommitmentDiscountStatus = 'Used' then ContractedCost else 0
        end - EffectiveCost as CoveredDelta
    from {{ ref('fct_cost_and_usage') }}
    where
        {{ in_billing_periods('x_BillingPeriod') }}
        and CommitmentDiscountStatus in ('Used', 'Unused')
        and CommitmentDiscountId is not null

),

direct_owners as (

    select
        x_RowId,
        BillingPeriodStart,
        Owner
    from {{ ref('int_allocation_direct') }}
    where {{ in_billing_periods('BillingPeriodStart') }}

)

select
    charges.BillingPeriodStart,
    charges.ScopeKey,
    charges.BillingCurrency,
    charges.ChargeDay,
    charges.CommitmentDiscountId,
    direct_owners.Owner,
    sum(charges.CoveredDelta) as CoveredDelta
from charges
left join direct_owners
    on
        charges.x_RowId = direct_owners.x_RowId
        and charges.BillingPeriodStart = direct_owners.BillingPeriodStart
group by
    charges.BillingPeriodStart,
    charges.ScopeKey,
    charges.BillingCurrency,
    charges.ChargeDay,
    charges.CommitmentDiscountId,
    direct_owners.Owner
