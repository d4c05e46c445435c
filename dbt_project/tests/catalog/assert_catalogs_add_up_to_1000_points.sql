-- Returns every framework version whose main indices do not add up to the 1000 points of the
-- provincial DTI, and every unit catalog scored on main indices that does not add up to 1000.

select
    framework_versions.framework_version as catalog_code,
    coalesce(sum(main_indices.max_points), 0) as total_max_points
from {{ ref('dti_framework_versions') }} as framework_versions
left join {{ ref('dti_main_indices') }} as main_indices
    on framework_versions.framework_version = main_indices.framework_version
group by framework_versions.framework_version
having coalesce(sum(main_indices.max_points), 0) <> 1000

union all

select
    unit_catalog,
    sum(max_points) as total_max_points
from {{ ref('unit_main_indices') }}
group by unit_catalog
having sum(max_points) <> 1000
