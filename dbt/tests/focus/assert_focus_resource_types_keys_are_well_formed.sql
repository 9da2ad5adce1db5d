-- Every key of the seed focus_resource_types has a shape focus_resource_kind() can produce
-- (lower case arn:, id:, arm:, gcp:) or names a service (service:<ServiceName>); a key
-- with a typo or in the wrong case would never match and its resources would be 'Other'.
select
    provider_name,
    resource_kind,
    resource_type
from {{ ref('focus_resource_types') }}
where
    not (
        resource_kind like 'service:_%'
        or (
            (
                resource_kind like 'arn:_%'
                or resource_kind like 'id:_%'
                or resource_kind like 'arm:_%/_%'
                or resource_kind like 'gcp:_%/_%'
            )
            and resource_kind = lower(resource_kind)
        )
    )
