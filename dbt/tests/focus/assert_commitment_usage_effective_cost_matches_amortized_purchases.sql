-- Per commitment and billing period, Σ EffectiveCost of its Usage rows (Used + Unused)
-- equals what its purchases amortize to in that period, to the cent (FOCUS 1.2: over the
-- term, Σ EffectiveCost of usage = Σ BilledCost of purchases). The expected amount comes
-- from the source where the source states it:
--   AWS    the fee rows: an RI's RIFee carries the period's amortized upfront fee plus its
--          recurring fee; a Savings Plan's hourly fee rows carry TotalCommitmentToDate.
--   GCP    a resource-based CUD's hourly fee rows are its whole cost.
--   Azure and FOCUS files: the purchase rows themselves, by the spec's rule: recurring
--          purchases of the period, plus one-time purchases spread over their charge period
--          (the term) by time. Checked for commitments whose purchases are in the data.
-- One failing row per commitment and period that does not tie, or has one side only.
-- RF03 reads the struct fields inside sum_list_field's list lambda as table references.
-- noqa: disable=RF03
with commitment_rows as (

    select
        x_SourceFormat as source_format,
        CommitmentDiscountId as commitment_id,
        x_BillingPeriod as billing_period,
        BillingPeriodStart as period_start,
        BillingPeriodEnd as period_end,
        ChargeCategory as charge_category,
        ChargeFrequency as charge_frequency,
        ChargePeriodStart as charge_period_start,
        ChargePeriodEnd as charge_period_end,
        BilledCost as billed_cost,
        EffectiveCost as effective_cost,
        case
            when x_SourceFormat in ('aws_cur', 'aws_cur2') then 'aws'
            when x_SourceFormat in ('azure_actual', 'azure_amortized') then 'azure'
            else x_SourceFormat
        end as source_family,
        CommitmentDiscountStatus in ('Used', 'Unused') and ChargeCategory = 'Usage'
            as is_commitment_usage
    from {{ ref('fct_cost_and_usage') }}
    where CommitmentDiscountId is not null

),

usage_effective_cost as (

    select
        source_family,
        commitment_id,
        billing_period,
        sum(effective_cost) as usage_effective_cost
    from commitment_rows
    where is_commitment_usage
    group by source_family, commitment_id, billing_period

),

aws_fee_rows as (

    select
        _billing_period as billing_period,
        line_item_line_item_type,
        coalesce(nullif(reservation_reservation_a_r_n, ''), savings_plan_savings_plan_a_r_n)
            as commitment_id,
        case
            when line_item_line_item_type = 'RIFee'
                then
                    coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
                    + line_item_unblended_cost
            else savings_plan_total_commitment_to_date
        end as amortized_purchase
    from {{ ref('stg_aws_cur__line_items') }}
    where line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee')

    union all

    select
        _billing_period as billing_period,
        line_item_line_item_type,
        coalesce(nullif(reservation_reservation_a_r_n, ''), savings_plan_savings_plan_a_r_n)
            as commitment_id,
        case
            when line_item_line_item_type = 'RIFee'
                then
                    coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
                    + line_item_unblended_cost
            else savings_plan_total_commitment_to_date
        end as amortized_purchase
    from {{ ref('stg_aws_cur2__line_items') }}
    where line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee')

),

gcp_fee_rows as (

    select
        _billing_period as billing_period,
        coalesce(subscription_instance_id, sku_id) as commitment_id,
        cost as amortized_purchase
    from {{ ref('stg_gcp_billing__line_items') }}
    where
        cost_type = 'regular'
        and sku_description like 'Commitment v1:%'
        and sku_description not like '%dollar based%'
        and {{ sum_list_field('credits', 'amount', 'type', ['FEE_UTILIZATION_OFFSET']) }} = 0

),

commitment_periods as (

    select distinct
        source_family,
        commitment_id,
        billing_period,
        period_start,
        period_end
    from commitment_rows
    where source_family in ('azure', 'focus')

),

purchases as (

    select
        source_family,
        commitment_id,
        billing_period,
        charge_frequency,
        charge_period_start,
        charge_period_end,
        billed_cost
    from commitment_rows
    where
        source_family in ('azure', 'focus')
        and charge_category = 'Purchase'

),

purchase_shares as (

    -- A one-time purchase amortizes over its charge period in proportion to time.
    select
        commitment_periods.source_family,
        commitment_periods.commitment_id,
        commitment_periods.billing_period,
        case
            when purchases.charge_frequency = 'One-Time'
                then {{ divide_money(
                    'purchases.billed_cost * greatest(0, ' ~ dbt.datediff(
                        'greatest(purchases.charge_period_start, commitment_periods.period_start)',
                        'least(purchases.charge_period_end, commitment_periods.period_end)',
                        'second'
                    ) ~ ')',
                    dbt.datediff('purchases.charge_period_start', 'purchases.charge_period_end', 'second')
                ) }}
            when purchases.billing_period = commitment_periods.billing_period
                then purchases.billed_cost
            else 0
        end as amortized_purchase
    from commitment_periods
    inner join purchases
        on
            commitment_periods.source_family = purchases.source_family
            and commitment_periods.commitment_id = purchases.commitment_id

),

expected as (

    select
        'aws' as source_family,
        commitment_id,
        billing_period,
        sum(amortized_purchase) as amortized_purchase
    from aws_fee_rows
    group by commitment_id, billing_period

    union all

    select
        'gcp_billing' as source_family,
        commitment_id,
        billing_period,
        sum(amortized_purchase) as amortized_purchase
    from gcp_fee_rows
    group by commitment_id, billing_period

    union all

    select
        source_family,
        commitment_id,
        billing_period,
        sum(amortized_purchase) as amortized_purchase
    from purchase_shares
    group by source_family, commitment_id, billing_period

)

select
    coalesce(expected.source_family, usage_effective_cost.source_family) as source_family,
    coalesce(expected.commitment_id, usage_effective_cost.commitment_id) as commitment_id,
    coalesce(expected.billing_period, usage_effective_cost.billing_period) as billing_period,
    expected.amortized_purchase,
    usage_effective_cost.usage_effective_cost,
    coalesce(usage_effective_cost.usage_effective_cost, 0)
    - coalesce(expected.amortized_purchase, 0) as difference
from expected
full outer join usage_effective_cost
    on
        expected.source_family = usage_effective_cost.source_family
        and expected.commitment_id = usage_effective_cost.commitment_id
        and expected.billing_period = usage_effective_cost.billing_period
where
    abs(
        coalesce(usage_effective_cost.usage_effective_cost, 0)
        - coalesce(expected.amortized_purchase, 0)
    ) >= 0.005
    -- A commitment without purchases in the data (bought before the first loaded period)
    -- cannot be checked from its purchases: only its source-stated families are.
    and (
        expected.amortized_purchase is not null
        or usage_effective_cost.source_family in ('aws', 'gcp_billing')
    )
    -- An Azure purchase (actual export) whose reservation has no usage at all in the amortized
    -- export of that month: the two exports do not hold the same charges (taken at different
    -- times, or excerpts). assert_azure_exports_agree_on_billed_cost warns about that; the
    -- commitment cannot be checked here.
    and not (
        expected.source_family = 'azure' and usage_effective_cost.usage_effective_cost is null
    )
