-- The main indices each period is scored on at province level, from its framework version.
with periods as (

    select * from {{ ref('int_catalog__periods') }}

),

main_indices as (

    select * from {{ ref('dti_main_indices') }}

)

select
    periods.period,
    periods.framework_version,
    main_indices.main_index_code,
    main_indices.main_index_number,
    main_indices.name_vi,
    main_indices.name_en,
    main_indices.index_group,
    main_indices.pillar,
    main_indices.max_points,
    main_indices.provisional,
    main_indices.official_component_count
from periods
inner join main_indices
    on periods.framework_version = main_indices.framework_version
