-- Owner hierarchy rows start and end on the first of a month, so a monthly showback row has
-- one team, business unit and cost center. (Ownership of accounts, services and tags may
-- change on any day.)
select *
from {{ ref('allocation_owners') }}
where
    extract(day from valid_from) != 1
    or extract(day from valid_to) != 1
