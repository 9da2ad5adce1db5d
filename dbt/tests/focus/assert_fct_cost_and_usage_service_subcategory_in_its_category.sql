-- ServiceSubcategory values are scoped to their ServiceCategory in FOCUS 1.2
-- ("Compute: Virtual Machines"): a subcategory paired with another category is invalid even
-- though both values exist.
select
    fct.ServiceCategory as service_category,
    fct.ServiceSubcategory as service_subcategory,
    count(*) as n_rows
from {{ ref('fct_cost_and_usage') }} as fct
left join {{ ref('focus_service_subcategories') }} as allowed
    on
        fct.ServiceCategory = allowed.service_category
        and fct.ServiceSubcategory = allowed.service_subcategory
where allowed.service_subcategory is null
group by fct.ServiceCategory, fct.ServiceSubcategory
