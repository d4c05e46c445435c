-- Every main index of the province and of each unit, each period, as the report, the workbook
-- and the scorecards print it: by the number the Ministry gives it in the period's framework
-- (a unit's own indices have none: the heaviest first), with the components that stand behind it.
with main_index_scores as (

    select * from {{ ref('fct_main_index_scores') }}

),

framework_main_indices as (

    select * from {{ ref('dti_main_indices') }}

)

select
    main_index_scores.period,
    main_index_scores.scope_type,
    main_index_scores.scope_code,
    main_index_scores.catalog_code,
    main_index_scores.main_index_code,
    framework_main_indices.main_index_number,
    cast(row_number() over (
        partition by main_index_scores.period, main_index_scores.scope_type, main_index_scores.scope_code
        order by
            framework_main_indices.main_index_number asc nulls last, main_index_scores.max_points desc,
            main_index_scores.main_index_code asc
    ) as integer) as display_order,
    main_index_scores.name_vi,
    main_index_scores.name_en,
    main_index_scores.index_group,
    main_index_scores.points,
    main_index_scores.max_points,
    main_index_scores.index_value,
    main_index_scores.index_value_lowest,
    main_index_scores.index_value_highest,
    main_index_scores.official_component_count,
    main_index_scores.components_official_measured,
    main_index_scores.components_proxy_measured,
    main_index_scores.components_official_measured + main_index_scores.components_proxy_measured
        as components_measured,
    main_index_scores.components_awaiting,
    main_index_scores.components_missing,
    main_index_scores.components_no_data
from main_index_scores
left join framework_main_indices
    on main_index_scores.catalog_code = framework_main_indices.framework_version
    and main_index_scores.main_index_code = framework_main_indices.main_index_code
