-- Points and value (points ÷ max points) of every main index, for the province on its
-- framework's main indices and for every unit on its own catalog's. The province's value is
-- taken over the components measured (one awaiting the Ministry's value, or without data for the
-- period, does not count as 0), with the range the official framework leaves open: lowest when
-- every official component not measured earned 0, highest when each earned full points
-- (int_scoring__province_coverage).
with component_scores as (

    select * from {{ ref('fct_component_scores') }}

),

period_main_indices as (

    select * from {{ ref('int_catalog__period_main_indices') }}

),

unit_main_indices as (

    select * from {{ ref('unit_main_indices') }}

),

province_coverage as (

    select * from {{ ref('int_scoring__province_coverage') }}

),

unit_periods as (

    select distinct
        period,
        scope_code as unit_code,
        catalog_code as unit_catalog
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
        count(*) filter (where score_status = 'missing') as components_missing,
        count(*) filter (where score_status = 'no_data') as components_no_data
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

),

valued as (

    select
        scope_main_indices.*,
        coalesce(main_index_points.points, 0) as points,
        cast(coalesce(main_index_points.components_missing, 0) as integer) as components_missing,
        cast(coalesce(main_index_points.components_no_data, 0) as integer) as components_no_data,
        case
            when scope_main_indices.scope_type = 'province'
                then province_coverage.points_measured / nullif(province_coverage.max_points_measured, 0)
            else coalesce(main_index_points.points, 0) / nullif(scope_main_indices.max_points, 0)
        end as index_value,
        province_coverage.official_component_count,
        province_coverage.components_official_measured,
        province_coverage.components_proxy_measured,
        province_coverage.components_awaiting,
        province_coverage.official_points_measured
    from scope_main_indices
    left join main_index_points
        on scope_main_indices.period = main_index_points.period
        and scope_main_indices.scope_type = main_index_points.scope_type
        and scope_main_indices.scope_code = main_index_points.scope_code
        and scope_main_indices.main_index_code = main_index_points.main_index_code
    left join province_coverage
        on scope_main_indices.scope_type = 'province'
        and scope_main_indices.period = province_coverage.period
        and scope_main_indices.main_index_code = province_coverage.main_index_code

)

select
    period,
    scope_type,
    scope_code,
    catalog_code,
    main_index_code,
    name_vi,
    name_en,
    index_group,
    pillar,
    points,
    cast(max_points as integer) as max_points,
    index_value,
    components_missing,
    components_no_data,
    official_component_count,
    components_official_measured,
    components_proxy_measured,
    components_awaiting,
    official_points_measured,
    -- the measured components earn over the official points they stand for what they earn over
    -- their own; the rest of the main index earns 0 (lowest) or everything (highest)
    case
        when scope_type = 'province' and max_points > 0
            then coalesce(index_value, 0) * official_points_measured / max_points
    end as index_value_lowest,
    case
        when scope_type = 'province' and max_points > 0
            then
                (coalesce(index_value, 0) * official_points_measured + max_points - official_points_measured)
                / max_points
    end as index_value_highest
from valued
