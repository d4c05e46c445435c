-- The units the focal point writes a feedback letter to each period, one row each, in the order the
-- letters' index lists them: every unit that sent late, sent nothing, had every file refused, or
-- has problems still open (rpt_unit_feedback_problems); missing first, then rejected, then late,
-- then units that were on time with rows set aside; departments before communes and wards; then by
-- name. The focal point writes the letters, and not to itself.
with submission_status as (

    select * from {{ ref('fct_submission_status') }}
    where unit_code <> '{{ var("dti_focal_point_unit_code") }}'

),

open_problems as (

    select
        period,
        unit_code,
        cast(count(*) filter (where problem_kind = 'file_rejected') as integer) as files_to_send_again,
        cast(
            count(distinct file_name || '#' || file_row_number) filter (where problem_kind = 'row_set_aside')
            as integer
        ) as rows_to_fix,
        cast(count(*) as integer) as problems_listed
    from {{ ref('rpt_unit_feedback_problems') }}
    group by period, unit_code

)

select
    submission_status.period,
    cast(row_number() over (
        partition by submission_status.period
        order by
            case submission_status.submission_status
                when 'missing' then 1 when 'rejected' then 2 when 'late' then 3 else 4
            end,
            case submission_status.unit_type when 'department' then 1 else 2 end,
            submission_status.name_vi
    ) as integer) as letter_order,
    submission_status.unit_code,
    submission_status.name_vi,
    submission_status.unit_type,
    submission_status.submission_status,
    submission_status.due_date,
    submission_status.first_accepted_at,
    submission_status.file_in_use,
    submission_status.files_received,
    submission_status.files_rejected,
    coalesce(open_problems.files_to_send_again, 0) as files_to_send_again,
    coalesce(open_problems.rows_to_fix, 0) as rows_to_fix,
    coalesce(open_problems.problems_listed, 0) as problems_listed
from submission_status
left join open_problems
    on submission_status.period = open_problems.period
    and submission_status.unit_code = open_problems.unit_code
where
    submission_status.submission_status <> 'on_time'
    or open_problems.unit_code is not null
