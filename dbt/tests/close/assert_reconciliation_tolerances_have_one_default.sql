-- Every billing account needs a tolerance: exactly one default row (empty billing_account_id).
select count(*) as default_rows
from {{ ref('reconciliation_tolerances') }}
where billing_account_id is null
having count(*) != 1
