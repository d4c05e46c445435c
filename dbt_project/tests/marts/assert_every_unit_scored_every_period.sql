-- Returns every reporting unit and period without exactly one DTI row, and every unit that sent
-- nothing usable but did not score 0: a missing unit is scored and flagged, never left out.

with periods as (

    select period from {{ ref('int_catalog__periods') }}

),

expected as (

    select periods.period, units.unit_code
    from periods
    cross join {{ ref('reporting_units') }} as units

),

unit_scores as (

    select period, scope_code, count(*) as score_rows, max(dti_score) as dti_score,
        max(submission_status) as submission_status
    from {{ ref('fct_dti_scores') }}
    where scope_type = 'unit'
    group by period, scope_code

)

select expected.period, expected.unit_code, unit_scores.score_rows, unit_scores.dti_score,
    unit_scores.submission_status
from expected
full outer join unit_scores
    on expected.period = unit_scores.period
    and expected.unit_code = unit_scores.scope_code
where unit_scores.score_rows is distinct from 1
    or expected.unit_code is null
    or (unit_scores.submission_status in ('missing', 'rejected') and unit_scores.dti_score <> 0)
