-- Σ BilledCost of fct_cost_and_usage per source, billing account, billing period and
-- currency equals the source's own total, to the cent. Each source total is what that
-- provider's invoice sums:
--   AWS (CUR, CUR 2.0)  Σ UnblendedCost over all rows, SavingsPlanNegation rows included
--   GCP                 Σ cost + Σ credits, per invoice.month
--   FOCUS files         Σ BilledCost
-- Azure's billed cost comes from two exports (Microsoft's conversion: usage from the
-- amortized one, commitment purchases from the actual one), so its tie to the actual export
-- is a check of the two exports against each other: assert_azure_exports_agree_on_billed_cost.
-- One failing row per mismatch, or per total present on one side only.
with focus_file_rows as (

    -- The account id repaired the way int_focus__focus repairs it (numeric ids).
    select
        {{ focus_account_id(
            'billing_account_id',
            'coalesce(provider_name, host_provider_name, service_provider_name)'
        ) }} as billing_account_id,
        _billing_period as billing_period,
        upper(billing_currency) as currency,
        billed_cost
    from {{ ref('stg_focus__cost_and_usage') }}

),

source_totals as (

    select
        'aws_cur' as source_family,
        bill_payer_account_id as billing_account_id,
        _billing_period as billing_period,
        line_item_currency_code as currency,
        sum(line_item_unblended_cost) as source_total
    from {{ ref('stg_aws_cur__line_items') }}
    group by bill_payer_account_id, _billing_period, line_item_currency_code

    union all

    select
        'aws_cur2' as source_family,
        bill_payer_account_id as billing_account_id,
        _billing_period as billing_period,
        line_item_currency_code as currency,
        sum(line_item_unblended_cost) as source_total
    from {{ ref('stg_aws_cur2__line_items') }}
    group by bill_payer_account_id, _billing_period, line_item_currency_code

    union all

    select
        'gcp_billing' as source_family,
        billing_account_id,
        _billing_period as billing_period,
        currency,
        sum(cost + {{ sum_list_field('credits', 'amount') }}) as source_total
    from {{ ref('stg_gcp_billing__line_items') }}
    group by billing_account_id, _billing_period, currency

    union all

    select
        'focus' as source_family,
        billing_account_id,
        billing_period,
        currency,
        sum(billed_cost) as source_total
    from focus_file_rows
    group by billing_account_id, billing_period, currency

),

fct_rows as (

    select
        x_SourceFormat as source_family,
        BillingAccountId as billing_account_id,
        x_BillingPeriod as billing_period,
        BillingCurrency as currency,
        BilledCost as billed_cost
    from {{ ref('fct_cost_and_usage') }}
    where x_SourceFormat not in ('azure_actual', 'azure_amortized')

),

focus_totals as (

    select
        source_family,
        billing_account_id,
        billing_period,
        currency,
        sum(billed_cost) as billed_cost
    from fct_rows
    group by source_family, billing_account_id, billing_period, currency

)

select
    coalesce(source_totals.source_family, focus_totals.source_family) as source_family,
    coalesce(source_totals.billing_account_id, focus_totals.billing_account_id)
        as billing_account_id,
    coalesce(source_totals.billing_period, focus_totals.billing_period) as billing_period,
    coalesce(source_totals.currency, focus_totals.currency) as currency,
    source_totals.source_total,
    focus_totals.billed_cost,
    coalesce(focus_totals.billed_cost, 0) - coalesce(source_totals.source_total, 0) as difference
from source_totals
full outer join focus_totals
    on
        source_totals.source_family = focus_totals.source_family
        and source_totals.billing_account_id = focus_totals.billing_account_id
        and source_totals.billing_period = focus_totals.billing_period
        and source_totals.currency = focus_totals.currency
where
    source_totals.source_total is null
    or focus_totals.billed_cost is null
    or abs(focus_totals.billed_cost - source_totals.source_total) >= 0.005
