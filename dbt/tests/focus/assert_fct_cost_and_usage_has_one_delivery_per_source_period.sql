-- No delivery is counted twice: the rows of one format, provider, billing account and billing
-- period come from exactly one delivery (whose parts may be several files). Two deliveries
-- there mean a restated month was appended instead of replacing the older delivery, and every
-- total of that month would be doubled.
with deliveries as (

    select distinct
        manifest_id,
        delivery_id
    from {{ ref('stg_ingestion__manifest') }}
    where status = 'loaded'

)

select
    charges.x_SourceFormat as source_format,
    charges.ProviderName as provider_name,
    charges.BillingAccountId as billing_account_id,
    charges.x_BillingPeriod as billing_period,
    count(distinct deliveries.delivery_id) as deliveries
from {{ ref('fct_cost_and_usage') }} as charges
left join deliveries on charges.x_ManifestId = deliveries.manifest_id
group by
    charges.x_SourceFormat, charges.ProviderName, charges.BillingAccountId, charges.x_BillingPeriod
having count(distinct deliveries.delivery_id) > 1
