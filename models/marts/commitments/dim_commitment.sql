-- Every commitment seen in fct_cost_and_usage, with its contract terms from the exports and
-- the providers' inventories (int_commitment_terms) and what the loaded periods show of it.
-- An inventory entry never billed in the loaded periods gets no row: the dimension describes
-- the commitments behind the costs, with their billing account and currency. DaysToExpiry
-- counts from the run date, what a reader means by "expires in"; DaysToExpiryAtAsOfDate counts
-- from AsOfDate, the end of the last usage hour loaded, and is the same on every rebuild.
with charges as (

    select * from {{ ref('fct_cost_and_usage') }}

),

terms as (

    select * from {{ ref('int_commitment_terms') }}

),

as_of as (

    select max(ChargePeriodEnd) as LastUsageEnd
    from charges
    where ChargeCategory = 'Usage'

),

loaded_accounts as (

    select
        BillingAccountId,
        min(BillingPeriodStart) as FirstBillingPeriodStart
    from charges
    group by BillingAccountId

),

observed as (

    select
        CommitmentDiscountId,
        max(ProviderName) as ProviderName,
        max(BillingAccountId) as BillingAccountId,
        max(BillingCurrency) as BillingCurrency,
        max(CommitmentDiscountType) as CommitmentDiscountType,
        max(CommitmentDiscountCategory) as CommitmentDiscountCategory,
        max(CommitmentDiscountName) as CommitmentDiscountName,
        -- where it was used, for a readable name: one service, one region, else none
        case
            when
                count(distinct case when CommitmentDiscountStatus = 'Used' then ServiceName end)
                = 1
                then max(case when CommitmentDiscountStatus = 'Used' then ServiceName end)
        end as UsedServiceName,
        case
            when count(distinct case when CommitmentDiscountStatus = 'Used' then RegionId end) = 1
                then max(case when CommitmentDiscountStatus = 'Used' then RegionId end)
        end as UsedRegionId,
        sum(
            case
                when ChargeCategory = 'Purchase' and ChargeFrequency = 'One-Time' then BilledCost
            end
        ) as UpfrontBilled,
        min(
            case
                when ChargeCategory = 'Purchase' and ChargeFrequency = 'One-Time'
                    then ChargePeriodStart
            end
        ) as UpfrontChargeStart,
        max(
            case
                when ChargeCategory = 'Purchase' and ChargeFrequency = 'One-Time'
                    then ChargePeriodEnd
            end
        ) as UpfrontChargeEnd,
        sum(
            case
                when ChargeCategory = 'Purchase' and ChargeFrequency = 'Recurring' then BilledCost
            end
        ) as RecurringBilled,
        -- Azure dates a monthly reservation fee on one day of the month it pays for: a
        -- recurring fee row of a day or more that starts with its billing period pays
        -- for the billing period.
        sum(
            case
                when ChargeCategory != 'Purchase' or ChargeFrequency != 'Recurring' then null
                when
                    ChargePeriodStart = BillingPeriodStart
                    and {{ hours_between('ChargePeriodStart', 'ChargePeriodEnd') }} >= 24
                    then {{ hours_between('BillingPeriodStart', 'BillingPeriodEnd') }}
                else {{ hours_between('ChargePeriodStart', 'ChargePeriodEnd') }}
            end
        ) as RecurringHours,
        sum(case when ChargeCategory = 'Purchase' then BilledCost else 0 end)
            as PurchasedToDate,
        sum(
            case
                when CommitmentDiscountStatus in ('Used', 'Unused') then EffectiveCost else 0
            end
        ) as AmortizedToDate,
        min(cast(ChargePeriodStart as date)) as FirstChargeDate,
        max(
            case when ChargeCategory = 'Usage' then cast(ChargePeriodEnd as date) end
        ) as LastUsageDate
    from charges
    where CommitmentDiscountId is not null
    group by CommitmentDiscountId

),

joined as (

    select
        observed.*,
        terms.CommitmentTerm,
        terms.PaymentOption,
        terms.CommitmentScope,
        terms.IsAutoRenew,
        -- the export's own terms first; a one-time purchase's charge period is the term
        coalesce(terms.CommitmentStart, observed.UpfrontChargeStart) as CommitmentStart,
        coalesce(terms.CommitmentEnd, observed.UpfrontChargeEnd) as CommitmentEnd,
        coalesce(terms.UpfrontAmount, observed.UpfrontBilled, 0) as UpfrontAmount,
        as_of.LastUsageEnd,
        cast(as_of.LastUsageEnd as date) as AsOfDate,
        loaded_accounts.FirstBillingPeriodStart,
        -- ISO 8601 whole years read as "1 yr", "3 yr"; other terms stay as the export gives them
        case
            when terms.CommitmentTerm like 'P%Y'
                then replace(replace(terms.CommitmentTerm, 'P', ''), 'Y', ' yr')
            else terms.CommitmentTerm
        end as TermLabel
    from observed
    left join terms
        on observed.CommitmentDiscountId = terms.CommitmentDiscountId
    left join loaded_accounts
        on observed.BillingAccountId = loaded_accounts.BillingAccountId
    cross join as_of

)

select
    CommitmentDiscountId,
    CommitmentDiscountName,
    -- the provider's name, else one built from the commitment's own attributes and the tail of
    -- its id (ARNs and resource paths end in the unique part)
    coalesce(
        CommitmentDiscountName,
        coalesce(ProviderName || ' ', '')
        || coalesce(CommitmentDiscountType, 'Commitment')
        || coalesce(
            ' (' || coalesce(TermLabel || coalesce(', ' || PaymentOption, ''), PaymentOption)
            || ')',
            ''
        )
        || coalesce(
            ' '
            || coalesce(CommitmentScope, UsedServiceName || coalesce(' in ' || UsedRegionId, '')),
            ''
        )
        || ' ' || {{ dbt.split_part('CommitmentDiscountId', "'/'", -1) }}
    ) as CommitmentName,
    ProviderName,
    CommitmentDiscountType,
    CommitmentDiscountCategory,
    BillingAccountId,
    BillingCurrency,
    CommitmentTerm,
    PaymentOption,
    CommitmentStart,
    CommitmentEnd,
    cast(UpfrontAmount as {{ money() }}) as UpfrontAmount,
    cast({{ divide_money('RecurringBilled', 'RecurringHours') }} as {{ money() }})
        as RecurringFeePerHour,
    CommitmentScope,
    IsAutoRenew,
    cast(PurchasedToDate as {{ money() }}) as PurchasedToDate,
    cast(AmortizedToDate as {{ money() }}) as AmortizedToDate,
    -- the whole term lies in the loaded data: then AmortizedToDate must equal PurchasedToDate
    coalesce(
        CommitmentStart >= FirstBillingPeriodStart
        and CommitmentEnd <= LastUsageEnd,
        false
    ) as IsWholeTermLoaded,
    FirstChargeDate,
    LastUsageDate,
    AsOfDate,
    {{ days_between(run_date(), 'cast(CommitmentEnd as date)') }} as DaysToExpiry,
    {{ days_between('AsOfDate', 'cast(CommitmentEnd as date)') }} as DaysToExpiryAtAsOfDate
from joined
