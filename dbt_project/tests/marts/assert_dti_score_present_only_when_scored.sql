-- Returns every score row whose DTI score is missing although it was scored, or present
-- although the unit did not submit.

select period, scope_code, submission_status, dti_score
from {{ ref('fct_dti_scores') }}
where (submission_status = 'missing') <> (dti_score is null)
