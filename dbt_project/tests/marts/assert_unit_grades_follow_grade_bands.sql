-- Returns every unit row whose grade is not the band its DTI score falls in, and the province's
-- row when it carries a grade the deployment did not ask for (var `dti_grade_province`): the
-- bands are the province's own scale for its units, and the Ministry grades no province.

select
    scores.period,
    scores.scope_code,
    scores.dti_score,
    scores.grade_code,
    bands.grade_code as expected_grade
from {{ ref('fct_dti_scores') }} as scores
left join {{ ref('grade_bands') }} as bands
    on scores.dti_score >= bands.min_score
    and scores.dti_score < bands.max_score
    and (scores.scope_type = 'unit' or {{ var('dti_grade_province', false) }})
where scores.dti_score is not null
    and scores.grade_code is distinct from bands.grade_code
