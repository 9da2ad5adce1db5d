-- Every mapping in the seed focus_service_mappings names a FOCUS 1.2 (category,
-- subcategory) pair, so the mart's ServiceSubcategory stays inside its ServiceCategory.
select
    mappings.provider_name,
    mappings.provider_service,
    mappings.service_category,
    mappings.service_subcategory
from {{ ref('focus_service_mappings') }} as mappings
left join {{ ref('focus_service_subcategories') }} as allowed
    on
        mappings.service_category = allowed.service_category
        and mappings.service_subcategory = allowed.service_subcategory
where allowed.service_subcategory is null
