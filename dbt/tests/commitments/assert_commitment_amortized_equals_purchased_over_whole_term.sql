-- FOCUS: over a commitment's whole term, Σ EffectiveCost of its usage (Used and Unused
-- rows) equals Σ BilledCost of its purchases. Checked on every commitment whose whole term
-- the loaded periods cover (dim_commitment.IsWholeTermLoaded).
-- Reported in Dagster as a check of dim_commitment (the mart it guards).
{{ config(meta={'dagster': {'ref': {'name': 'dim_commitment'}}}) }}

select
    CommitmentDiscountId,
    PurchasedToDate,
    AmortizedToDate
from {{ ref('dim_commitment') }}
where
    IsWholeTermLoaded
    and PurchasedToDate != AmortizedToDate
