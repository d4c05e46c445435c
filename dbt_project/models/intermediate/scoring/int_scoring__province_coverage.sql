-- How much of the official framework stands behind each main index of the province, each period:
-- the official components measured (by their own definition, from a loaded appendix, or by a
-- provincial proxy standing for one of them), those awaiting the Ministry's value, and the
-- official points the measured components stand for. A component's official points are the
-- appendix's; a proxy's are, until the appendix is loaded, an equal share of what its main index
-- has left over the official components not loaded (over the whole framework where the count per
-- main index is not verified, as for 405): a stated assumption the report prints.
with components as (

    select * from {{ ref('int_catalog__period_components') }}

),

component_points as (

    select * from {{ ref('int_scoring__component_points') }}
    where scope_type = 'province'

),

main_indices as (

    select * from {{ ref('int_catalog__period_main_indices') }}

),

frameworks as (

    select * from {{ ref('dti_framework_versions') }}

),

scored_components as (

    select
        components.period,
        components.framework_version,
        components.main_index_code,
        components.provenance,
        components.max_points,
        component_points.points,
        component_points.score_status,
        components.provenance in ('official', 'provincial_proxy') as stands_for_official,
        -- awaiting the Ministry or without data: unknown, never a 0 in the estimate
        component_points.score_status not in ('awaiting', 'no_data') as is_measured
    from components
    inner join component_points
        on components.period = component_points.period
        and components.component_code = component_points.component_code

),

framework_official_rows as (

    select
        period,
        count(*) filter (where provenance = 'official') as official_rows,
        coalesce(sum(max_points) filter (where provenance = 'official'), 0) as official_points
    from scored_components
    group by period

),

main_index_rows as (

    select
        period,
        main_index_code,
        count(*) filter (where provenance = 'official') as official_rows,
        coalesce(sum(max_points) filter (where provenance = 'official'), 0) as official_points,
        count(*) filter (where provenance = 'official' and is_measured) as components_official_measured,
        count(*) filter (where provenance = 'provincial_proxy' and is_measured) as components_proxy_measured,
        count(*) filter (where stands_for_official and score_status = 'awaiting') as components_awaiting,
        count(*) filter (where stands_for_official and score_status = 'no_data') as components_no_data,
        coalesce(sum(max_points) filter (where provenance = 'official' and is_measured), 0)
            as official_points_measured,
        coalesce(sum(points) filter (where is_measured), 0) as points_measured,
        coalesce(sum(max_points) filter (where is_measured), 0) as max_points_measured
    from scored_components
    group by period, main_index_code

),

with_proxy_share as (

    select
        main_indices.period,
        main_indices.framework_version,
        main_indices.main_index_code,
        main_indices.max_points,
        main_indices.official_component_count,
        coalesce(main_index_rows.components_official_measured, 0) as components_official_measured,
        coalesce(main_index_rows.components_proxy_measured, 0) as components_proxy_measured,
        coalesce(main_index_rows.components_awaiting, 0) as components_awaiting,
        coalesce(main_index_rows.components_no_data, 0) as components_no_data,
        coalesce(main_index_rows.official_points_measured, 0) as official_points_measured,
        coalesce(main_index_rows.points_measured, 0) as points_measured,
        coalesce(main_index_rows.max_points_measured, 0) as max_points_measured,
        case
            when main_indices.official_component_count is not null
                then
                    (main_indices.max_points - coalesce(main_index_rows.official_points, 0))
                    / nullif(main_indices.official_component_count - coalesce(main_index_rows.official_rows, 0), 0)
            else
                (frameworks.official_total_points - framework_official_rows.official_points)
                / nullif(frameworks.official_component_count - framework_official_rows.official_rows, 0)
        end as proxy_official_points
    from main_indices
    inner join frameworks
        on main_indices.framework_version = frameworks.framework_version
    left join framework_official_rows
        on main_indices.period = framework_official_rows.period
    left join main_index_rows
        on main_indices.period = main_index_rows.period
        and main_indices.main_index_code = main_index_rows.main_index_code

)

select
    period,
    framework_version,
    main_index_code,
    max_points,
    official_component_count,
    cast(components_official_measured as integer) as components_official_measured,
    cast(components_proxy_measured as integer) as components_proxy_measured,
    cast(components_awaiting as integer) as components_awaiting,
    cast(components_no_data as integer) as components_no_data,
    points_measured,
    max_points_measured,
    cast(proxy_official_points as double precision) as proxy_official_points,
    -- the official points the measured components stand for, never more than the main index has
    cast(least(
        max_points,
        official_points_measured + components_proxy_measured * coalesce(proxy_official_points, 0)
    ) as double precision) as official_points_measured
from with_proxy_share
