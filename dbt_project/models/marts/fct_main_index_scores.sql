-- Points and value (points ÷ max points) of every main index, for the province on its
-- framework's main indices and for every unit on its own catalog's.
with component_scores as (

    select * from {{ ref('fct_component_scores') }}

),

period_main_indices as (

    select * from {{ ref('int_catalog__period_main_indices') }}

),

unit_main_indices as (

    select * from {{ ref('unit_main_indices') }}

),

unit_periods as (

    select distinct period, scope_code as unit_code, catalog_code as unit_catalog
    from component_scores
    where scope_type = 'unit'

),

main_index_points as (

    select
        period,
        scope_type,
        scope_code,
        main_index_code,
        sum(points) as points,
        count(*) filter (where score_status = 'missing') as components_missing
    from component_scores
    where main_index_code is not null
    group by period, scope_type, scope_code, main_index_code

),

scope_main_indices as (

    select
        period,
        'province' as scope_type,
        'PROVINCE' as scope_code,
        framework_version as catalog_code,
        main_index_code,
        name_vi,
        name_en,
        index_group,
        pillar,
        max_points
    from period_main_indices

    union all

    select
        unit_periods.period,
        'unit' as scope_type,
        unit_periods.unit_code as scope_code,
        unit_periods.unit_catalog as catalog_code,
        unit_main_indices.main_index_code,
        unit_main_indices.name_vi,
        unit_main_indices.name_en,
        cast(null as text) as index_group,
        cast(null as text) as pillar,
        unit_main_indices.max_points
    from unit_periods
    inner join unit_main_indices
        on unit_periods.unit_catalog = unit_main_indices.unit_catalog

)

select
    scope_main_indices.period,
    scope_main_indices.scope_type,
    scope_main_indices.scope_code,
    scope_main_indices.catalog_code,
    scope_main_indices.main_index_code,
    scope_main_indices.name_vi,
    scope_main_indices.name_en,
    scope_main_indices.index_group,
    scope_main_indices.pillar,
    coalesce(main_index_points.points, 0) as points,
    cast(scope_main_indices.max_points as integer) as max_points,
    coalesce(main_index_points.points, 0) / nullif(scope_main_indices.max_points, 0) as index_value,
    cast(coalesce(main_index_points.components_missing, 0) as integer) as components_missing
from scope_main_indices
left join main_index_points
    on scope_main_indices.period = main_index_points.period
    and scope_main_indices.scope_type = main_index_points.scope_type
    and scope_main_indices.scope_code = main_index_points.scope_code
    and scope_main_indices.main_index_code = main_index_points.main_index_code
