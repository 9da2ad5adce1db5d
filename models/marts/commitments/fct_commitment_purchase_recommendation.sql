-- How much new commitment to buy per commitment-eligible scope, from the hourly on-demand
-- eligible usage of the last `commitment_recommendation_lookback_days` days (default 30).
-- Method (docs/commitments.md): a commitment of level L (on-demand-equivalent cost per hour)
-- costs (1 - d) x L every hour, d the discount rate (var commitment_recommendation_discount_rate,
-- default 0.3), and covers min(u_h, L) of each hour's usage u_h. Net savings over the H hours
-- of the window: S(L) = Σ_h min(u_h, L) - (1 - d) x L x H. S is concave and piecewise linear
-- with breaks at the observed hourly usage levels, so its maximum is at one of them (or 0):
-- every observed level is a candidate and the best one wins (the lower one on a tie).
-- Hours without eligible usage count as u_h = 0: they add to H, not to the sum.
{% set lookback_days = var('commitment_recommendation_lookback_days', 30) %}
{% set discount_rate = var('commitment_recommendation_discount_rate', 0.3) %}

with hourly_rows as (

    select
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        ServiceName,
        RegionId,
        {{ instance_family() }} as InstanceFamily,
        ChargePeriodStart,
        ChargePeriodEnd,
        ContractedCost
    from {{ ref('fct_cost_and_usage') }}
    where
        {{ is_commitment_eligible_usage() }}
        -- already covered usage needs no new commitment
        and PricingCategory = 'Standard'
        -- hourly rows only: a daily row says nothing about the hours within the day
        and {{ hours_between('ChargePeriodStart', 'ChargePeriodEnd') }} = 1

),

window_end as (

    select max(ChargePeriodEnd) as WindowEnd from hourly_rows

),

usage_by_hour as (

    select
        hourly_rows.ProviderName,
        hourly_rows.BillingAccountId,
        hourly_rows.BillingCurrency,
        hourly_rows.ServiceName,
        hourly_rows.RegionId,
        hourly_rows.InstanceFamily,
        hourly_rows.ChargePeriodStart,
        sum(hourly_rows.ContractedCost) as HourlyUsage
    from hourly_rows
    cross join window_end
    where
        hourly_rows.ChargePeriodStart
        >= {{ add_days('window_end.WindowEnd', -lookback_days) }}
    group by
        hourly_rows.ProviderName,
        hourly_rows.BillingAccountId,
        hourly_rows.BillingCurrency,
        hourly_rows.ServiceName,
        hourly_rows.RegionId,
        hourly_rows.InstanceFamily,
        hourly_rows.ChargePeriodStart

),

scoped as (

    -- one number per scope keeps the window clauses short (NULL family included)
    select
        *,
        dense_rank() over (
            order by
                ProviderName,
                BillingAccountId,
                BillingCurrency,
                ServiceName,
                RegionId,
                InstanceFamily
        ) as ScopeId
    from usage_by_hour

),

scopes as (

    select distinct
        ScopeId,
        ProviderName,
        BillingAccountId,
        BillingCurrency,
        ServiceName,
        RegionId,
        InstanceFamily
    from scoped

),

levels as (

    -- one row per scope and distinct hourly usage level, plus level 0 (buy nothing)
    select
        ScopeId,
        HourlyUsage as HourlyCommitment,
        count(*) as HoursAtLevel,
        sum(HourlyUsage) as UsageAtLevel
    from scoped
    where HourlyUsage > 0
    group by
        ScopeId,
        HourlyUsage
    union all
    select
        ScopeId,
        cast(0 as {{ money() }}) as HourlyCommitment,
        0 as HoursAtLevel,
        cast(0 as {{ money() }}) as UsageAtLevel
    from scopes

),

cumulated as (

    select
        *,
        -- usage of the hours below this level is covered in full, the others up to the level
        coalesce(sum(UsageAtLevel) over (
            partition by ScopeId
            order by HourlyCommitment
            rows between unbounded preceding and 1 preceding
        ), 0) as UsageBelowLevel,
        sum(HoursAtLevel) over (
            partition by ScopeId
            order by HourlyCommitment
            rows between current row and unbounded following
        ) as HoursAtOrAboveLevel
    from levels

),

evaluated as (

    select
        ScopeId,
        HourlyCommitment,
        UsageBelowLevel + HourlyCommitment * HoursAtOrAboveLevel as ExpectedCoveredCost,
        HourlyCommitment
        * cast(1 - {{ discount_rate }} as {{ money() }})
        * {{ lookback_days * 24 }} as ExpectedCommitmentCost
    from cumulated

),

ranked as (

    select
        *,
        ExpectedCoveredCost - ExpectedCommitmentCost as ExpectedNetSavings,
        row_number() over (
            partition by ScopeId
            order by ExpectedCoveredCost - ExpectedCommitmentCost desc, HourlyCommitment
        ) as SavingsRank,
        row_number() over (
            partition by ScopeId
            order by HourlyCommitment
        ) as LevelRank
    from evaluated

),

recommended as (

    select
        ScopeId,
        LevelRank
    from ranked
    where SavingsRank = 1

)

select
    scopes.ProviderName,
    scopes.BillingAccountId,
    scopes.BillingCurrency,
    scopes.ServiceName,
    scopes.RegionId,
    scopes.InstanceFamily,
    case ranked.LevelRank - recommended.LevelRank
        when -1 then 'Lower neighbour'
        when 0 then 'Recommended'
        else 'Higher neighbour'
    end as RecommendationPoint,
    cast(ranked.HourlyCommitment as {{ money() }}) as HourlyCommitment,
    cast(ranked.ExpectedCoveredCost as {{ money() }}) as ExpectedCoveredCost,
    cast(ranked.ExpectedCommitmentCost as {{ money() }}) as ExpectedCommitmentCost,
    cast(ranked.ExpectedNetSavings as {{ money() }}) as ExpectedNetSavings,
    {{ share(
        'ranked.ExpectedCoveredCost',
        'ranked.HourlyCommitment * ' ~ lookback_days * 24
    ) }} as ExpectedUtilization,
    {{ lookback_days * 24 }} as LookbackHours,
    cast({{ discount_rate }} as {{ ratio() }}) as DiscountRate
from ranked
inner join recommended
    on ranked.ScopeId = recommended.ScopeId
inner join scopes
    on ranked.ScopeId = scopes.ScopeId
where ranked.LevelRank between recommended.LevelRank - 1 and recommended.LevelRank + 1
