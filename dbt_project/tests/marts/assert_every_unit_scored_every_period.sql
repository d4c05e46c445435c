-- Returns every reporting unit and period, and every period of the province, without exactly one
-- DTI row; every DTI row naming neither the province nor a listed unit; and every unit that sent
-- nothing usable but did not score 0: a missing unit is scored and flagged, never left out.

with periods as (

    select period from {{ ref('int_catalog__periods') }}

),

expected as (

    select
        periods.period,
        'unit' as scope_type,
        units.unit_code as scope_code
    from periods
    cross join {{ ref('reporting_units') }} as units

    union all

    select
        period,
        'province' as scope_type,
        'PROVINCE' as scope_code
    from periods

),

scores as (

    select
        period,
        scope_type,
        scope_code,
        count(*) as score_rows,
        max(dti_score) as dti_score,
        max(submission_status) as submission_status
    from {{ ref('fct_dti_scores') }}
    group by period, scope_type, scope_code

)

select
    coalesce(expected.period, scores.period) as period,
    coalesce(expected.scope_type, scores.scope_type) as scope_type,
    coalesce(expected.scope_code, scores.scope_code) as scope_code,
    scores.score_rows,
    scores.dti_score,
    scores.submission_status
from expected
full outer join scores
    on expected.period = scores.period
    and expected.scope_type = scores.scope_type
    and expected.scope_code = scores.scope_code
where
    scores.score_rows is distinct from 1
    or expected.scope_code is null
    or (scores.submission_status in ('missing', 'rejected') and scores.dti_score <> 0)
