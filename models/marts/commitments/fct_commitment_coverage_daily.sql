-- How much of the commitment-eligible usage (macros/commitments: virtual-machine hours at
-- on-demand or committed prices) commitments covered, per day and scope. Both sides are in
-- on-demand-equivalent cost (ContractedCost: the price before commitment discounts). Not in
-- hours: a flexible commitment covers part of a larger instance's hour, so one instance hour
-- appears on a covered and an on-demand row (FOCUS flexibility examples). Where the provider
-- gives normalized units (AWS: size factor x hours) coverage is also given in them; a scope
-- with any eligible row lacking them gets none, rather than a coverage of part of its usage.
with eligible as (

    select
        cast(ChargePeriodStart as date) as ChargeDate,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        ServiceName,
        RegionId,
        {{ instance_family() }} as InstanceFamily,
        ContractedCost,
        x_NormalizedUsageAmount,
        CommitmentDiscountStatus
    from {{ ref('fct_cost_and_usage') }}
    where {{ is_commitment_eligible_usage() }}

),

daily as (

    select
        ChargeDate,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        ServiceName,
        RegionId,
        InstanceFamily,
        sum(ContractedCost) as EligibleCost,
        sum(case when CommitmentDiscountStatus = 'Used' then ContractedCost else 0 end)
            as CoveredCost,
        case
            when count(x_NormalizedUsageAmount) = count(*) then sum(x_NormalizedUsageAmount)
        end as EligibleNormalizedUnits,
        case
            when count(x_NormalizedUsageAmount) = count(*)
                then sum(
                    case
                        when CommitmentDiscountStatus = 'Used' then x_NormalizedUsageAmount
                        else 0
                    end
                )
        end as CoveredNormalizedUnits
    from eligible
    group by
        ChargeDate,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        ServiceName,
        RegionId,
        InstanceFamily

)

select
    ChargeDate,
    ProviderName,
    BillingAccountId,
    BillingCurrency,
    ServiceName,
    RegionId,
    InstanceFamily,
    cast(EligibleCost as {{ money() }}) as EligibleCost,
    cast(CoveredCost as {{ money() }}) as CoveredCost,
    cast(EligibleCost - CoveredCost as {{ money() }}) as OnDemandCost,
    {{ share('CoveredCost', 'EligibleCost') }} as Coverage,
    cast(EligibleNormalizedUnits as {{ money() }}) as EligibleNormalizedUnits,
    cast(CoveredNormalizedUnits as {{ money() }}) as CoveredNormalizedUnits,
    {{ share('CoveredNormalizedUnits', 'EligibleNormalizedUnits') }} as NormalizedUnitCoverage
from daily
