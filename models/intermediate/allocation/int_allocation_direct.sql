-- One row per charge of fct_cost_and_usage with its direct owner: the first step of the
-- ordered fallback chain (allocation_fallback_chain: tag -> account -> service) that places it,
-- else Unallocated with the reason. Rules are effective-dated on the charge day, so an owner
-- change in the middle of a month moves only the days after it. ChargeGroupId is the ledger's
-- source charge group: every ledger row traces back to the charges carrying its id.
-- Stored, not a view: the ledger, the showback and the KPIs all read it, and inlined into
-- one query the whole chain outgrew DuckDB's 3 GB memory bound on a 10M-row bill. A charge's
-- owner depends on that charge and the rules of its day: incremental by billing month
-- (docs/dbt.md; a rule change needs `finops run --full-refresh`).
{{ config(**billing_period_incremental('BillingPeriodStart')) }}

with charges as (

    select
        x_RowId,
        x_BillingPeriod as BillingPeriodStart,
        cast(ChargePeriodStart as date) as ChargeDay,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        SubAccountName,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        EffectiveCost,
        BilledCost
    from {{ ref('fct_cost_and_usage') }}
    where {{ in_billing_periods('x_BillingPeriod') }}

),

charge_tags as (

    select * from {{ ref('int_allocation_charge_tags') }}
    where {{ in_billing_periods('BillingPeriodStart') }}

),

owners as (

    select * from {{ ref('allocation_owners') }}

),

account_owners as (

    select * from {{ ref('allocation_account_owners') }}

),

service_owners as (

    select * from {{ ref('allocation_service_owners') }}

),

fallback_chain as (

    select * from {{ ref('allocation_fallback_chain') }}

),

team_tags as (

    select * from charge_tags
    where TagDimension = 'team'

),

environment_tags as (

    select * from charge_tags
    where TagDimension = 'environment'

),

-- Each method's proposal side by side, one row per charge: rule tables are small, so every
-- join but the tags' keeps the bill on the probe side (no union, no window over the bill).
-- An account rule names the account by id, or by name where the id is not stable (an Azure
-- subscription id differs per tenant; its name is what people know).
proposals as (

    select
        charges.*,
        team_tags.TagKey as team_tag_key,
        team_tags.TagValue as team_tag_value,
        team_tags.TagKeyRuleId as team_tag_rule_id,
        tag_owners.owner as tag_owner,
        environment_tags.TagValue as tag_environment,
        coalesce(accounts_by_id.owner, accounts_by_name.owner) as account_owner,
        coalesce(accounts_by_id.rule_id, accounts_by_name.rule_id) as account_rule_id,
        coalesce(accounts_by_id.sub_account_id, accounts_by_name.sub_account_name) as account_key,
        coalesce(accounts_by_id.environment, accounts_by_name.environment) as account_environment,
        service_owners.owner as service_owner,
        service_owners.rule_id as service_rule_id
    from charges
    left join team_tags on charges.x_RowId = team_tags.x_RowId
    -- a tag only counts when it names a known owner
    left join owners as tag_owners
        on
            team_tags.TagValue = tag_owners.owner
            and {{ rule_is_valid('tag_owners', 'charges.ChargeDay') }}
    left join environment_tags on charges.x_RowId = environment_tags.x_RowId
    left join account_owners as accounts_by_id
        on
            charges.ProviderName = accounts_by_id.provider_name
            and charges.SubAccountId = accounts_by_id.sub_account_id
            and {{ rule_is_valid('accounts_by_id', 'charges.ChargeDay') }}
    left join account_owners as accounts_by_name
        on
            charges.ProviderName = accounts_by_name.provider_name
            and charges.SubAccountName = accounts_by_name.sub_account_name
            and accounts_by_name.sub_account_id is null
            and {{ rule_is_valid('accounts_by_name', 'charges.ChargeDay') }}
    left join service_owners
        on
            charges.ProviderName = service_owners.provider_name
            and charges.ServiceName = service_owners.service_name
            and {{ rule_is_valid('service_owners', 'charges.ChargeDay') }}

),

-- The chain step of each method that proposes an owner (NULL: no proposal, or the method is
-- not in the chain valid on the charge day).
ranked as (

    select
        proposals.*,
        case when proposals.tag_owner is not null then tag_step.step end as tag_rank,
        case when proposals.account_owner is not null then account_step.step end as account_rank,
        case when proposals.service_owner is not null then service_step.step end as service_rank
    from proposals
    left join fallback_chain as tag_step
        on
            tag_step.method = 'tag'
            and {{ rule_is_valid('tag_step', 'proposals.ChargeDay') }}
    left join fallback_chain as account_step
        on
            account_step.method = 'account'
            and {{ rule_is_valid('account_step', 'proposals.ChargeDay') }}
    left join fallback_chain as service_step
        on
            service_step.method = 'service'
            and {{ rule_is_valid('service_step', 'proposals.ChargeDay') }}

),

-- The first step of the chain that proposes an owner wins.
chosen as (

    select
        ranked.*,
        case
            when
                ranked.tag_rank <= coalesce(ranked.account_rank, ranked.tag_rank)
                and ranked.tag_rank <= coalesce(ranked.service_rank, ranked.tag_rank)
                then 'tag'
            when ranked.account_rank <= coalesce(ranked.service_rank, ranked.account_rank)
                then 'account'
            when ranked.service_rank is not null then 'service'
            else 'unallocated'
        end as AllocationMethod
    from ranked

),

allocated as (

    select
        x_RowId,
        BillingPeriodStart,
        ChargeDay,
        ProviderName,
        BillingAccountId,
        SubAccountId,
        ServiceName,
        ChargeCategory,
        BillingCurrency,
        case AllocationMethod
            when 'tag' then tag_owner
            when 'account' then account_owner
            when 'service' then service_owner
            else 'Unallocated'
        end as Owner,  -- noqa: RF04
        coalesce(tag_environment, account_environment, 'unspecified') as Environment,
        AllocationMethod,
        case AllocationMethod
            when 'tag' then team_tag_rule_id
            when 'account' then account_rule_id
            when 'service' then service_rule_id
            else 'unallocated'
        end as AllocationRuleId,
        case
            when AllocationMethod = 'tag'
                then 'tag ' || team_tag_key || ' = ' || team_tag_value
            when AllocationMethod = 'account' then 'account ' || account_key
            when AllocationMethod = 'service' then 'service ' || ServiceName
            when team_tag_value is not null
                then
                    'tag ' || team_tag_key || ' = ' || team_tag_value
                    || ' is not a known owner; no account or service rule'
            else 'no team tag; no account or service rule'
        end as AllocationReason,
        EffectiveCost,
        BilledCost
    from chosen

)

select
    allocated.*,
    {{ allocation_row_id([
        'BillingPeriodStart', 'ChargeDay', 'ProviderName', 'BillingAccountId', 'SubAccountId',
        'ServiceName', 'ChargeCategory', 'BillingCurrency', 'Owner', 'Environment',
        'AllocationMethod', 'AllocationRuleId', 'AllocationReason'
    ]) }} as ChargeGroupId
from allocated
