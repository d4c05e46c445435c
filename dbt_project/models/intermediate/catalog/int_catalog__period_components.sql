-- The province-level components each period is scored on, from its framework version.
with periods as (

    select * from {{ ref('int_catalog__periods') }}

),

components as (

    select * from {{ ref('dti_components') }}

)

select
    periods.period,
    periods.framework_version,
    components.component_code,
    components.main_index_code,
    components.indicator_key,
    components.name_vi,
    components.name_en,
    components.max_points,
    components.scoring_rule,
    components.target_value,
    components.unit_of_measure,
    components.value_source,
    components.source_component_code,
    components.province_aggregation,
    components.responsible_unit_type,
    components.provenance,
    components.appendix_ref
from periods
inner join components
    on periods.framework_version = components.framework_version
