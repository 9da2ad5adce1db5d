-- An account rule names its account by id or by name, exactly one of them.
select *
from {{ ref('allocation_account_owners') }}
where (sub_account_id is null) = (sub_account_name is null)
