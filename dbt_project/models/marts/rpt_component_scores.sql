-- Every component of the province and of each unit, each period, as the workbook and the
-- scorecards print it: its value, points and status beside the main index it counts towards.
with component_scores as (

    select * from {{ ref('fct_component_scores') }}

),

main_indices as (

    select * from {{ ref('rpt_main_index_scores') }}

)

select
    component_scores.period,
    component_scores.scope_type,
    component_scores.scope_code,
    component_scores.catalog_code,
    component_scores.component_code,
    component_scores.name_vi,
    component_scores.name_en,
    component_scores.main_index_code,
    main_indices.main_index_number,
    main_indices.name_vi as main_index_name_vi,
    main_indices.name_en as main_index_name_en,
    component_scores.indicator_key,
    component_scores.scoring_rule,
    component_scores.unit_of_measure,
    component_scores.value_source,
    component_scores.responsible_unit_type,
    component_scores.numerator,
    component_scores.denominator,
    component_scores.component_value,
    component_scores.target_value,
    component_scores.max_points,
    component_scores.points,
    component_scores.headroom_points,
    component_scores.score_status,
    component_scores.no_data_reason_vi,
    component_scores.no_data_reason_en,
    component_scores.units_reported,
    component_scores.units_responsible,
    component_scores.provenance,
    component_scores.provisional
from component_scores
left join main_indices
    on component_scores.period = main_indices.period
    and component_scores.scope_type = main_indices.scope_type
    and component_scores.scope_code = main_indices.scope_code
    and component_scores.main_index_code = main_indices.main_index_code
