-- The Used and Unused rows of every commitment, one row per source row and UTC day it covers.
-- Most rows cover one hour or one day; a row spanning several days (AWS reports an RI's
-- unused hours once per month) is spread over its days in proportion to its hours, the first
-- day taking the rounding remainder, so every row's days sum back to the row exactly.
with commitment_rows as (

    select
        x_RowId,
        CommitmentDiscountId,
        CommitmentDiscountStatus,
        CommitmentDiscountUnit,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        x_BillingPeriod as BillingPeriod,
        ChargePeriodStart,
        ChargePeriodEnd,
        EffectiveCost,
        CommitmentDiscountQuantity,
        {{ hours_between('ChargePeriodStart', 'ChargePeriodEnd') }} as ChargeHours,
        cast(cast(ChargePeriodStart as date) as timestamp) as FirstDayStart
    from {{ ref('fct_cost_and_usage') }}
    where CommitmentDiscountStatus in ('Used', 'Unused')

),

day_offsets as (

    {{ day_offsets(63) }}

),

row_days as (

    select
        commitment_rows.*,
        day_offsets.DayOffset,
        {{ add_days('commitment_rows.FirstDayStart', 'day_offsets.DayOffset') }} as DayStart
    from commitment_rows
    cross join day_offsets

),

day_hours as (

    select
        *,
        {{ hours_between(
            'greatest(ChargePeriodStart, DayStart)',
            'least(ChargePeriodEnd, ' ~ add_days('DayStart', 1) ~ ')'
        ) }} as DayHours
    from row_days
    where DayStart < ChargePeriodEnd

),

shares as (

    select
        *,
        case
            when ChargeHours <= 24 then EffectiveCost
            else {{ divide_money('EffectiveCost * DayHours', 'ChargeHours') }}
        end as DayEffectiveCost,
        case
            when ChargeHours <= 24 then CommitmentDiscountQuantity
            else {{ divide_money('CommitmentDiscountQuantity * DayHours', 'ChargeHours') }}
        end as DayQuantity
    from day_hours
    -- a row of up to a day stays on the day it starts
    where
        (ChargeHours <= 24 and DayOffset = 0)
        or (ChargeHours > 24 and DayHours > 0)

),

remainders as (

    select
        *,
        EffectiveCost - sum(DayEffectiveCost) over (partition by x_RowId) as CostRemainder,
        CommitmentDiscountQuantity
        - sum(DayQuantity) over (partition by x_RowId) as QuantityRemainder
    from shares

)

select
    x_RowId,
    CommitmentDiscountId,
    CommitmentDiscountStatus,
    CommitmentDiscountUnit,
    ProviderName,
    BillingAccountId,
    BillingCurrency,
    BillingPeriod,
    cast(DayStart as date) as ChargeDate,
    cast(
        DayEffectiveCost + case when DayOffset = 0 then CostRemainder else 0 end
        as {{ money() }}
    ) as EffectiveCost,
    cast(
        DayQuantity + case when DayOffset = 0 then QuantityRemainder else 0 end
        as {{ money() }}
    ) as CommitmentDiscountQuantity
from remainders
