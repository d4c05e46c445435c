-- Returns every framework version whose main indices do not add up to the 1000 points of the
-- provincial DTI.

select
    framework_versions.framework_version,
    coalesce(sum(main_indices.max_points), 0) as total_max_points
from {{ ref('dti_framework_versions') }} as framework_versions
left join {{ ref('dti_main_indices') }} as main_indices
    on framework_versions.framework_version = main_indices.framework_version
group by framework_versions.framework_version
having coalesce(sum(main_indices.max_points), 0) <> 1000
