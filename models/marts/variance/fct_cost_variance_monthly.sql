-- The change of a service's amortized cost against the month before, split into price, volume
-- and mix effects from PricingQuantity and unit prices (docs/forecasts.md, "Variance"). An item
-- is what a unit price applies to: charge category, SKU price (else SKU, else the charge
-- description), pricing unit and region. Per item billed in both months:
--   volume = P0 x (Q1 - Q0), with P0 = C0 / Q0 the previous month's unit price;
--   price  = (C1 - C0) - volume, i.e. (P1 - P0) x Q1, and it takes the rounding residue of P0;
-- an item billed in one month only (a new SKU or region, one dropped, a credit) is mix: C1 or
-- -C0. An item without a quantity (tax, credits, fees) changes by price. So per service,
-- price + volume + mix = C1 - C0 exactly, by construction. The items of each month are summed
-- in int_cost_variance_items_monthly.
with items as (

    select * from {{ ref('int_cost_variance_items_monthly') }}

),

budgets as (

    select * from {{ ref('budgets') }}

),

-- Every month that has the month before it loaded.
months as (

    select distinct
        current_month.BillingMonth,
        previous_month.BillingMonth as PreviousMonth
    from items as current_month
    inner join items as previous_month
        on {{ add_months('previous_month.BillingMonth', 1) }} = current_month.BillingMonth

),

current_items as (

    select
        months.PreviousMonth,
        items.*
    from items
    inner join months
        on items.BillingMonth = months.BillingMonth

),

previous_items as (

    select
        months.BillingMonth as CurrentMonth,
        items.*
    from items
    inner join months
        on items.BillingMonth = months.PreviousMonth

),

compared as (

    select
        coalesce(current_items.BillingMonth, previous_items.CurrentMonth) as BillingMonth,
        coalesce(current_items.PreviousMonth, previous_items.BillingMonth) as PreviousMonth,
        coalesce(current_items.ProviderName, previous_items.ProviderName) as ProviderName,
        coalesce(current_items.ServiceName, previous_items.ServiceName) as ServiceName,
        coalesce(current_items.BillingCurrency, previous_items.BillingCurrency)
            as BillingCurrency,
        current_items.ItemKey is not null as InCurrent,
        previous_items.ItemKey is not null as InPrevious,
        coalesce(current_items.Cost, 0) as CurrentCost,
        coalesce(previous_items.Cost, 0) as PreviousCost,
        current_items.Quantity as CurrentQuantity,
        previous_items.Quantity as PreviousQuantity
    from current_items
    full outer join previous_items
        on
            current_items.BillingMonth = previous_items.CurrentMonth
            and current_items.ProviderName = previous_items.ProviderName
            and current_items.ServiceName = previous_items.ServiceName
            and current_items.BillingCurrency = previous_items.BillingCurrency
            and current_items.ChargeCategory = previous_items.ChargeCategory
            and current_items.ItemKey = previous_items.ItemKey
            and current_items.PricingUnit = previous_items.PricingUnit
            and current_items.RegionId = previous_items.RegionId

),

effects as (

    select
        *,
        case
            when
                InCurrent and InPrevious
                and coalesce(PreviousQuantity, 0) != 0
                and CurrentQuantity is not null
                then cast(
                    {{ divide_money('PreviousCost', 'PreviousQuantity') }}
                    * (CurrentQuantity - PreviousQuantity)
                    as {{ money() }}
                )
            else cast(0 as {{ money() }})
        end as VolumeEffect,
        case
            when InCurrent and InPrevious then cast(0 as {{ money() }})
            else CurrentCost - PreviousCost
        end as MixEffect
    from compared

),

services as (

    select
        BillingMonth,
        PreviousMonth,
        ProviderName,
        ServiceName,
        BillingCurrency,
        sum(PreviousCost) as PreviousCost,
        sum(CurrentCost) as CurrentCost,
        sum(
            case
                when InCurrent and InPrevious then CurrentCost - PreviousCost - VolumeEffect
                else 0
            end
        ) as PriceEffect,
        sum(VolumeEffect) as VolumeEffect,
        sum(MixEffect) as MixEffect,
        sum(case when InCurrent and InPrevious then 1 else 0 end) as ItemsInBoth,
        sum(case when InCurrent and not InPrevious then 1 else 0 end) as ItemsNew,
        sum(case when InPrevious and not InCurrent then 1 else 0 end) as ItemsGone
    from effects
    group by BillingMonth, PreviousMonth, ProviderName, ServiceName, BillingCurrency

),

-- A monthly budget on the service in its currency, valid on the month's first day.
service_budgets as (

    select
        scope_value as ServiceName,
        currency as BillingCurrency,
        valid_from,
        valid_to,
        sum(amount) as BudgetAmount
    from budgets
    where scope_type = 'service' and period = 'month' and cost_basis = 'amortized'
    group by scope_value, currency, valid_from, valid_to

)

select
    services.BillingMonth,
    services.PreviousMonth,
    services.ProviderName,
    services.ServiceName,
    services.BillingCurrency,
    cast(services.PreviousCost as {{ money() }}) as PreviousCost,
    cast(services.CurrentCost as {{ money() }}) as CurrentCost,
    cast(services.CurrentCost - services.PreviousCost as {{ money() }}) as CostChange,
    cast(services.PriceEffect as {{ money() }}) as PriceEffect,
    cast(services.VolumeEffect as {{ money() }}) as VolumeEffect,
    cast(services.MixEffect as {{ money() }}) as MixEffect,
    cast(services.ItemsInBoth as {{ dbt.type_bigint() }}) as ItemsInBoth,
    cast(services.ItemsNew as {{ dbt.type_bigint() }}) as ItemsNew,
    cast(services.ItemsGone as {{ dbt.type_bigint() }}) as ItemsGone,
    cast(service_budgets.BudgetAmount as {{ money() }}) as BudgetAmount,
    cast(services.CurrentCost - service_budgets.BudgetAmount as {{ money() }}) as BudgetVariance
from services
left join service_budgets
    on
        services.ServiceName = service_budgets.ServiceName
        and services.BillingCurrency = service_budgets.BillingCurrency
        and {{ rule_is_valid('service_budgets', 'services.BillingMonth') }}
