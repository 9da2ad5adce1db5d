-- Every source's FOCUS rows in one relation, with the vocabulary each row's mapping did not
-- know (int_cost_and_usage stores both). focus_cast_columns() selects the canonical columns
-- by name (macros/focus/focus_columns.sql) and casts each to its type, so every format model
-- must produce every column (a missing one fails at build time) and no union can shift a
-- column into its neighbour.
-- Two rules hold for every source and are applied here, once (docs/focus-mapping.md):
--   * ResourceType, where the source gives none, from the seed focus_resource_types;
--   * the PricingCurrency* columns, where the source gives none and prices are in the
--     billing currency, equal their billing-currency columns.
{%- set derived_columns = {
    'ResourceType': 'resource_type',
    'PricingCurrencyContractedUnitPrice': 'pricing_currency_contracted_unit_price',
    'PricingCurrencyEffectiveCost': 'pricing_currency_effective_cost',
    'PricingCurrencyListUnitPrice': 'pricing_currency_list_unit_price',
} %}

with aws as (

    select
        {{ focus_cast_columns() }},
        {{ focus_vocabulary_gap_cast_columns() }}
    from {{ ref('int_aws__focus') }}

),

azure as (

    select
        {{ focus_cast_columns() }},
        {{ focus_vocabulary_gap_cast_columns() }}
    from {{ ref('int_azure__focus') }}

),

gcp_billing as (

    select
        {{ focus_cast_columns() }},
        {{ focus_vocabulary_gap_cast_columns() }}
    from {{ ref('int_gcp_billing__focus') }}

),

focus_files as (

    select
        {{ focus_cast_columns() }},
        {{ focus_vocabulary_gap_cast_columns() }}
    from {{ ref('int_focus__focus') }}

),

unioned as (

    select * from aws
    union all
    select * from azure
    union all
    select * from gcp_billing
    union all
    select * from focus_files

),

resource_kinds as (

    select
        *,
        {{ focus_resource_kind('ResourceId') }} as resource_kind
    from unioned

),

derived as (

    select
        resource_kinds.*,
        -- FOCUS: ResourceType is set exactly when ResourceId is. The source's own type wins
        -- (FOCUS files carry one); a commitment's own rows (its purchase and Unused rows,
        -- ResourceId = the commitment) are of its kind (Reserved Instance, Savings Plan,
        -- Reservation, Committed Use Discount); then the kind the id's shape names, then
        -- the service's usual resource (S3 bucket names have no shape); else 'Other', so a
        -- resource the seed does not know yet is never NULL.
        case
            when resource_kinds.ResourceId is null then null
            else coalesce(
                resource_kinds.ResourceType,
                case
                    when resource_kinds.ResourceId = resource_kinds.CommitmentDiscountId
                        then resource_kinds.CommitmentDiscountType
                end,
                types_by_kind.resource_type,
                types_by_service.resource_type,
                'Other'
            )
        end as resource_type,
        -- Prices set in the billing currency are their own pricing-currency values (AWS and
        -- GCP always; Azure EA). Where the currencies differ and the source gave none, the
        -- column stays NULL: converting needs a rate, never an assumed 1:1.
        coalesce(
            resource_kinds.PricingCurrencyContractedUnitPrice,
            case
                when resource_kinds.PricingCurrency = resource_kinds.BillingCurrency
                    then resource_kinds.ContractedUnitPrice
            end
        ) as pricing_currency_contracted_unit_price,
        coalesce(
            resource_kinds.PricingCurrencyEffectiveCost,
            case
                when resource_kinds.PricingCurrency = resource_kinds.BillingCurrency
                    then resource_kinds.EffectiveCost
            end
        ) as pricing_currency_effective_cost,
        coalesce(
            resource_kinds.PricingCurrencyListUnitPrice,
            case
                when resource_kinds.PricingCurrency = resource_kinds.BillingCurrency
                    then resource_kinds.ListUnitPrice
            end
        ) as pricing_currency_list_unit_price
    from resource_kinds
    -- Both joins are on the seed's unique key (tested): they never add rows.
    left join {{ ref('focus_resource_types') }} as types_by_kind
        on
            resource_kinds.ProviderName = types_by_kind.provider_name
            and resource_kinds.resource_kind = types_by_kind.resource_kind
    left join {{ ref('focus_resource_types') }} as types_by_service
        on
            resource_kinds.ProviderName = types_by_service.provider_name
            and types_by_service.resource_kind = 'service:' || resource_kinds.ServiceName

)

select
    {{ focus_columns_replacing(derived_columns) }},
    {{ focus_vocabulary_gap_columns() | join(',\n    ') }}
from derived
