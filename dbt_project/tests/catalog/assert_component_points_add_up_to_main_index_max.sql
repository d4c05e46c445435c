-- Returns every main index whose components do not add up to its maximum points (an unscored
-- index, such as smart city in 922, has 0 points), and every component pointing at a main index
-- its catalog does not have: for the national frameworks and the province's unit catalogs alike.
-- The focal point's province-wide facts belong to no main index and carry no points. A national
-- main index that an appendix has loaded only in part and that holds no proxy any more may add up
-- to less (the components not loaded are not in the catalog), never to more.

with main_indices as (

    select
        framework_version as catalog_code,
        main_index_code,
        max_points
    from {{ ref('dti_main_indices') }}

    union all

    select
        unit_catalog,
        main_index_code,
        max_points
    from {{ ref('unit_main_indices') }}

),

components as (

    select
        framework_version as catalog_code,
        main_index_code,
        max_points,
        provenance
    from {{ ref('dti_components') }}

    union all

    select
        unit_catalog,
        main_index_code,
        max_points,
        'provincial_proxy' as provenance
    from {{ ref('unit_components') }}
    where main_index_code is not null

),

component_points as (

    select
        catalog_code,
        main_index_code,
        sum(max_points) as component_max_points,
        bool_and(provenance = 'official') as only_official_rows
    from components
    group by catalog_code, main_index_code

)

select
    coalesce(main_indices.catalog_code, component_points.catalog_code) as catalog_code,
    coalesce(main_indices.main_index_code, component_points.main_index_code) as main_index_code,
    main_indices.max_points as main_index_max_points,
    component_points.component_max_points
from main_indices
full outer join component_points
    on main_indices.catalog_code = component_points.catalog_code
    and main_indices.main_index_code = component_points.main_index_code
where main_indices.main_index_code is null
    or coalesce(component_points.component_max_points, 0) > main_indices.max_points
    or (
        coalesce(component_points.component_max_points, 0) < main_indices.max_points
        and not coalesce(component_points.only_official_rows, false)
    )
