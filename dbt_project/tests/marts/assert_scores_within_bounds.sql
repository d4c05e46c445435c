-- Returns every mart row whose points fall outside 0 … max_points, or whose main-index value
-- or DTI score falls outside 0 … 1.

select 'fct_component_scores' as model, period, scope_code, component_code as code, points, max_points, cast(null as numeric) as score
from {{ ref('fct_component_scores') }}
where points < 0 or points > max_points

union all

select 'fct_main_index_scores', period, scope_code, main_index_code, points, max_points, index_value
from {{ ref('fct_main_index_scores') }}
where points < 0 or points > max_points or index_value < 0 or index_value > 1

union all

select 'fct_dti_scores', period, scope_code, null, points, max_points, dti_score
from {{ ref('fct_dti_scores') }}
where points < 0 or points > max_points or dti_score < 0 or dti_score > 1

union all

-- the province's estimate lies within its range, and the range within 0 … 1
select 'fct_dti_scores (range)', period, scope_code, null, dti_score_lowest, dti_score_highest, dti_score
from {{ ref('fct_dti_scores') }}
where scope_type = 'province'
    and (dti_score_lowest < 0 or dti_score_highest > 1
        or dti_score < dti_score_lowest - 0.0000001 or dti_score > dti_score_highest + 0.0000001)
