-- Each product's allocated cost per day and currency: its owners' ledger rows (the product ->
-- owner map of the allocation rules), on both cost bases, direct and shared apart the way the
-- showback splits them (a row of a shared pool is shared cost, everything else direct).
with ledger as (

    select * from {{ ref('fct_cost_allocation') }}

),

product_owners as (

    select * from {{ ref('allocation_metric_owners') }}

),

product_ledger as (

    select
        product_owners.product,
        ledger.ChargePeriodStart as cost_date,
        ledger.BillingCurrency as billing_currency,
        ledger.SharedPoolId is not null as is_shared,
        ledger.AllocatedEffectiveCost,
        ledger.AllocatedBilledCost
    from ledger
    inner join product_owners
        on
            ledger.Owner = product_owners.owner
            and {{ rule_is_valid('product_owners', 'ledger.ChargePeriodStart') }}

)

select
    product,
    cost_date,
    billing_currency,
    cast(sum(case when not is_shared then AllocatedEffectiveCost else 0 end) as {{ money() }})
        as direct_effective_cost,
    cast(sum(case when is_shared then AllocatedEffectiveCost else 0 end) as {{ money() }})
        as shared_effective_cost,
    cast(sum(case when not is_shared then AllocatedBilledCost else 0 end) as {{ money() }})
        as direct_billed_cost,
    cast(sum(case when is_shared then AllocatedBilledCost else 0 end) as {{ money() }})
        as shared_billed_cost
from product_ledger
group by product, cost_date, billing_currency
