-- The units the focal point follows up each period, in the order the report and the workbook list
-- them: those that sent nothing first, then those whose every file was set aside, then the late;
-- departments before communes and wards, then by name.
with submission_status as (

    select * from {{ ref('fct_submission_status') }}
    where submission_status <> 'on_time'

)

select
    period,
    cast(row_number() over (
        partition by period
        order by
            case submission_status when 'missing' then 1 when 'rejected' then 2 else 3 end,
            case unit_type when 'department' then 1 else 2 end,
            name_vi
    ) as integer) as urge_order,
    unit_code,
    name_vi,
    unit_type,
    submission_status,
    due_date,
    first_accepted_at,
    files_received,
    files_rejected,
    rejection_reasons
from submission_status
