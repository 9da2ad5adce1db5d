-- FOCUS 1.2 column conditions the official validator checks row by row (rules model
-- 1.2.0.1), tested in the build so a mapping change cannot break them unseen. One failing
-- row per broken rule; the validator rule id is in the message.
with charges as (

    select * from {{ ref('fct_cost_and_usage') }}

),

checked as (

    select
        x_RowId as row_id,
        x_SourceFormat as source_format,
        case
            -- PricingCurrencyEffectiveCost-C-003-M
            when PricingCurrencyEffectiveCost is null
                then 'PricingCurrencyEffectiveCost is never NULL'
            -- prices set in the billing currency are their own pricing-currency values
            when
                PricingCurrency = BillingCurrency
                and PricingCurrencyEffectiveCost != EffectiveCost
                then 'PricingCurrencyEffectiveCost = EffectiveCost in the billing currency'
            -- ResourceType-C-004-C, -C-005-C
            when ResourceId is not null and ResourceType is null
                then 'ResourceType is never NULL where ResourceId is set'
            when ResourceId is null and ResourceType is not null
                then 'ResourceType is NULL where ResourceId is'
            -- BillingAccountName-C-003-C, SubAccountName-C-004-C, -C-005-C
            when BillingAccountName is null
                then 'BillingAccountName is never NULL'
            when SubAccountId is not null and SubAccountName is null
                then 'SubAccountName is set where SubAccountId is'
            when SubAccountId is null and SubAccountName is not null
                then 'SubAccountName is NULL where SubAccountId is'
            -- SkuId-C-004-C, SkuPriceId-C-004-C
            when ChargeCategory = 'Tax' and (SkuId is not null or SkuPriceId is not null)
                then 'Tax rows carry no SkuId or SkuPriceId'
            -- SkuMeter-C-004-C, -C-005-C
            when SkuId is null and SkuMeter is not null
                then 'SkuMeter is NULL where SkuId is'
            when SkuId is not null and SkuMeter is null
                then 'SkuMeter is set where SkuId is'
            -- CommitmentDiscountUnit-C-005-C, -C-006-C
            when CommitmentDiscountQuantity is null and CommitmentDiscountUnit is not null
                then 'CommitmentDiscountUnit is NULL where CommitmentDiscountQuantity is'
            when CommitmentDiscountQuantity is not null and CommitmentDiscountUnit is null
                then 'CommitmentDiscountUnit is set where CommitmentDiscountQuantity is'
        end as broken_rule
    from charges

)

select *
from checked
where broken_rule is not null
