-- One row per billing period, provider, currency and allocation KPI (KPI family `allocation`
-- of kpi_finops_monthly): allocation coverage and unallocated spend from the ledger (after
-- shared pools, amortized basis), tag compliance per required tag dimension over the charges
-- that carry a ResourceId (the taggable charges), by spend and by distinct resource.
with ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

charges as (

    select
        x_RowId,
        x_BillingPeriod as BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        lower(ResourceId) as ResourceKey,
        EffectiveCost
    from {{ ref('fct_cost_and_usage') }}
    where ResourceId is not null

),

charge_tags as (

    select * from {{ ref('int_allocation_charge_tags') }}

),

required_tags as (

    select * from {{ ref('allocation_required_tags') }}

),

coverage as (

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        sum(case when Owner != 'Unallocated' then AllocatedEffectiveCost else 0 end)
            as allocated_cost,
        sum(case when Owner = 'Unallocated' then AllocatedEffectiveCost else 0 end)
            as unallocated_cost,
        sum(AllocatedEffectiveCost) as total_cost
    from ledger
    group by BillingPeriodStart, ProviderName, BillingCurrency

),

charge_compliance as (

    select
        charges.BillingPeriodStart,
        charges.ProviderName,
        charges.BillingCurrency,
        charges.ResourceKey,
        charges.EffectiveCost,
        required_tags.dimension,
        charge_tags.x_RowId is not null as is_tagged
    from charges
    inner join required_tags
        on {{ rule_is_valid('required_tags', 'charges.BillingPeriodStart') }}
    left join charge_tags
        on
            charges.x_RowId = charge_tags.x_RowId
            and required_tags.dimension = charge_tags.TagDimension

),

compliance as (

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        dimension,
        sum(case when is_tagged then EffectiveCost else 0 end) as tagged_cost,
        sum(EffectiveCost) as taggable_cost,
        count(distinct case when is_tagged then ResourceKey end) as tagged_resources,
        count(distinct ResourceKey) as taggable_resources
    from charge_compliance
    group by BillingPeriodStart, ProviderName, BillingCurrency, dimension

),

kpis as (

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        'allocation_coverage' as KpiName,
        cast(null as {{ dbt.type_string() }}) as KpiDimension,
        'ratio' as KpiUnit,
        cast(allocated_cost as {{ money() }}) as KpiNumerator,
        cast(total_cost as {{ money() }}) as KpiDenominator
    from coverage

    union all

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        'unallocated_cost' as KpiName,
        cast(null as {{ dbt.type_string() }}) as KpiDimension,
        'currency' as KpiUnit,
        cast(unallocated_cost as {{ money() }}) as KpiNumerator,
        cast(null as {{ money() }}) as KpiDenominator
    from coverage

    union all

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        'tag_compliance_cost' as KpiName,
        dimension as KpiDimension,
        'ratio' as KpiUnit,
        cast(tagged_cost as {{ money() }}) as KpiNumerator,
        cast(taggable_cost as {{ money() }}) as KpiDenominator
    from compliance

    union all

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        'tag_compliance_resources' as KpiName,
        dimension as KpiDimension,
        'ratio' as KpiUnit,
        cast(tagged_resources as {{ money() }}) as KpiNumerator,
        cast(taggable_resources as {{ money() }}) as KpiDenominator
    from compliance

)

select
    BillingPeriodStart,
    ProviderName,
    BillingCurrency,
    'allocation' as KpiFamily,
    KpiName,
    KpiDimension,
    KpiUnit,
    case
        when KpiUnit = 'currency' then KpiNumerator
        else {{ divide_money('KpiNumerator', 'KpiDenominator') }}
    end as KpiValue,
    KpiNumerator,
    KpiDenominator
from kpis
