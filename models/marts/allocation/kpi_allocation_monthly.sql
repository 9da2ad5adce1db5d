-- One row per billing period, provider, currency and allocation KPI (KPI family `allocation`
-- of kpi_finops_monthly): allocation coverage and unallocated spend from the ledger (after
-- shared pools, amortized basis), tag compliance per required tag dimension over the charges
-- that carry a ResourceId (the taggable charges), by spend and by distinct resource, summed
-- per month in int_allocation_tag_compliance_monthly.
with ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

compliance as (

    select * from {{ ref('int_allocation_tag_compliance_monthly') }}

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
        TagDimension as KpiDimension,
        'ratio' as KpiUnit,
        cast(TaggedCost as {{ money() }}) as KpiNumerator,
        cast(TaggableCost as {{ money() }}) as KpiDenominator
    from compliance

    union all

    select
        BillingPeriodStart,
        ProviderName,
        BillingCurrency,
        'tag_compliance_resources' as KpiName,
        TagDimension as KpiDimension,
        'ratio' as KpiUnit,
        cast(TaggedResources as {{ money() }}) as KpiNumerator,
        cast(TaggableResources as {{ money() }}) as KpiDenominator
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
