with component_points as (

    select * from {{ ref('fct_component_points') }}

),

main_indices as (

    select * from {{ ref('int_catalog__active_main_indices') }}

),

scopes as (

    select distinct period, scope_type, scope_code
    from component_points

),

main_index_points as (

    select
        period,
        scope_type,
        scope_code,
        main_index_code,
        sum(points) as points,
        sum(max_points) as max_points
    from component_points
    group by period, scope_type, scope_code, main_index_code

),

scope_main_indices as (

    select
        scopes.period,
        scopes.scope_type,
        scopes.scope_code,
        main_indices.main_index_code,
        main_indices.name_vi,
        main_indices.name_en,
        main_indices.index_group,
        main_indices.pillar,
        coalesce(main_index_points.points, 0) as points,
        coalesce(main_index_points.max_points, 0) as max_points
    from scopes
    cross join main_indices
    left join main_index_points
        on scopes.period = main_index_points.period
        and scopes.scope_type = main_index_points.scope_type
        and scopes.scope_code = main_index_points.scope_code
        and main_indices.main_index_code = main_index_points.main_index_code
    -- the province is scored on every main index, a unit on those its components count towards
    where scopes.scope_type = 'province'
        or main_index_points.main_index_code is not null

)

select
    period,
    scope_type,
    scope_code,
    main_index_code,
    name_vi,
    name_en,
    index_group,
    pillar,
    points,
    cast(max_points as integer) as max_points,
    points / nullif(max_points, 0) as index_value
from scope_main_indices
