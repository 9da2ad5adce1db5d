-- Commitments ending within 90 days of AsOfDate (dim_commitment), in 30-day windows, with
-- the spend they cover now: the on-demand-equivalent cost of the usage they covered and
-- their amortized cost over the last 30 days loaded. That is what goes back to on-demand
-- prices unless the commitment is renewed. The windows count from AsOfDate, as the spend does;
-- DaysToExpiry counts from the run date.
with commitments as (

    select * from {{ ref('dim_commitment') }}
    where DaysToExpiryAtAsOfDate >= 0 and DaysToExpiryAtAsOfDate <= 90

),

recent_charges as (

    select
        charges.CommitmentDiscountId,
        sum(
            case when charges.CommitmentDiscountStatus = 'Used' then charges.ContractedCost end
        ) as CoveredCost,
        sum(charges.EffectiveCost) as EffectiveCost
    from {{ ref('fct_cost_and_usage') }} as charges
    inner join commitments
        on charges.CommitmentDiscountId = commitments.CommitmentDiscountId
    where
        charges.CommitmentDiscountStatus in ('Used', 'Unused')
        and charges.ChargePeriodStart
        >= {{ add_days('cast(commitments.AsOfDate as timestamp)', -30) }}
    group by charges.CommitmentDiscountId

)

select
    commitments.CommitmentDiscountId,
    commitments.CommitmentName,
    commitments.ProviderName,
    commitments.CommitmentDiscountType,
    commitments.BillingAccountId,
    commitments.BillingCurrency,
    commitments.CommitmentEnd,
    commitments.AsOfDate,
    commitments.DaysToExpiry,
    commitments.DaysToExpiryAtAsOfDate,
    commitments.IsAutoRenew,
    case
        when commitments.DaysToExpiryAtAsOfDate <= 30 then 30
        when commitments.DaysToExpiryAtAsOfDate <= 60 then 60
        else 90
    end as ExpiryWindowDays,
    cast(coalesce(recent_charges.CoveredCost, 0) as {{ money() }}) as CoveredCostLast30Days,
    cast(coalesce(recent_charges.EffectiveCost, 0) as {{ money() }}) as EffectiveCostLast30Days
from commitments
left join recent_charges
    on commitments.CommitmentDiscountId = recent_charges.CommitmentDiscountId
