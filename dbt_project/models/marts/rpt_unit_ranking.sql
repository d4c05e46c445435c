-- Departments, and communes and wards, ranked by their own DTI each period, with grade,
-- submission status and the components each still has to deliver: what every unit answers for,
-- as the report, the workbook and each unit's scorecard print it.
with unit_scores as (

    select * from {{ ref('fct_dti_scores') }}
    where scope_type = 'unit'

),

unit_components as (

    select * from {{ ref('fct_component_scores') }}
    where scope_type = 'unit'
        and main_index_code is not null

),

submission_status as (

    select * from {{ ref('fct_submission_status') }}

),

grades as (

    select * from {{ ref('grade_bands') }}

),

component_gaps as (

    select
        period,
        scope_code,
        string_agg(component_code, ', ' order by component_code)
        filter (where score_status = 'missing') as components_missing_list,
        string_agg(
            component_code || ' (' || round(cast(headroom_points as numeric), 1) || ')', ', '
            order by headroom_points desc, component_code asc
        )
        filter (where score_status = 'scored' and headroom_points > 0) as components_short_list,
        sum(headroom_points) as points_to_gain
    from unit_components
    group by period, scope_code

)

select
    unit_scores.period,
    unit_scores.ranking_group,
    unit_scores.rank_in_group,
    unit_scores.scope_code as unit_code,
    unit_scores.name_vi,
    unit_scores.unit_type,
    unit_scores.dti_score,
    unit_scores.grade_code,
    unit_scores.grade_vi,
    grades.grade_en,
    unit_scores.points,
    unit_scores.max_points,
    unit_scores.previous_period,
    unit_scores.previous_dti_score,
    unit_scores.dti_change,
    cast(count(*) over (partition by unit_scores.period, unit_scores.ranking_group) as integer) as units_in_group,
    unit_scores.submission_status,
    submission_status.due_date,
    submission_status.first_accepted_at,
    submission_status.file_in_use,
    submission_status.files_received,
    submission_status.files_rejected,
    submission_status.rows_rejected_in_use,
    submission_status.rejection_reasons,
    unit_scores.components_in_scope,
    unit_scores.components_missing,
    component_gaps.components_missing_list,
    component_gaps.components_short_list,
    component_gaps.points_to_gain
from unit_scores
left join component_gaps
    on unit_scores.period = component_gaps.period
    and unit_scores.scope_code = component_gaps.scope_code
left join submission_status
    on unit_scores.period = submission_status.period
    and unit_scores.scope_code = submission_status.unit_code
left join grades
    on unit_scores.grade_code = grades.grade_code
