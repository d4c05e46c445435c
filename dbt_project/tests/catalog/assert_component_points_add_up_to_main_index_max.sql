-- Returns every main index whose components do not add up to its maximum points (an unscored
-- index, such as smart city in 922, has 0 points and no components) and every component
-- pointing at a main index the catalog does not have.

with main_indices as (

    select framework_version, main_index_code, max_points
    from {{ ref('dti_main_indices') }}

),

component_points as (

    select framework_version, main_index_code, sum(max_points) as component_max_points
    from {{ ref('dti_components') }}
    group by framework_version, main_index_code

)

select
    coalesce(main_indices.framework_version, component_points.framework_version) as framework_version,
    coalesce(main_indices.main_index_code, component_points.main_index_code) as main_index_code,
    main_indices.max_points as main_index_max_points,
    component_points.component_max_points
from main_indices
full outer join component_points
    on main_indices.framework_version = component_points.framework_version
    and main_indices.main_index_code = component_points.main_index_code
where main_indices.main_index_code is null
    or coalesce(component_points.component_max_points, 0) <> main_indices.max_points
