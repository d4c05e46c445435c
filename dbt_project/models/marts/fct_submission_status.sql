-- The focal point's urging list: for every unit and period, whether the unit submitted on time,
-- late, not at all, or only files that were rejected — and what it must send.
with files as (

    select * from {{ ref('int_submissions__files_received') }}

),

reporting_units as (

    select
        unit_code,
        name_vi,
        unit_type
    from {{ ref('reporting_units') }}

),

periods as (

    select
        period,
        {{ period_end_date('period') }} + {{ var('dti_submission_due_days') }} as due_date
    from (select distinct period from files) as received_periods

),

unit_periods as (

    select
        periods.period,
        periods.due_date,
        reporting_units.*
    from periods
    cross join reporting_units

),

per_unit as (

    select
        period,
        unit_code,
        count(*) as files_received,
        count(*) filter (where file_status = 'superseded') as files_superseded,
        count(*) filter (where file_status = 'rejected') as files_rejected,
        min(submitted_at) filter (where file_status <> 'rejected') as first_accepted_at,
        max(file_name) filter (where file_status = 'in_use') as file_in_use,
        coalesce(sum(rejected_row_count) filter (where file_status = 'in_use'), 0) as rows_rejected_in_use,
        -- every reason already starts with the file's name
        string_agg(reason, E'\n' order by submitted_at) filter (where file_status = 'rejected')
            as rejection_reasons
    from files
    where unit_code is not null
    group by period, unit_code

)

select
    unit_periods.period,
    unit_periods.unit_code,
    unit_periods.name_vi,
    unit_periods.unit_type,
    unit_periods.due_date,
    case
        when per_unit.first_accepted_at is not null
            -- a file counts as on time when it arrived by the end of the due date, Vietnam time
            then case when (per_unit.first_accepted_at at time zone 'Asia/Ho_Chi_Minh')::date <= unit_periods.due_date
                        then 'on_time'
                    else 'late'
                end
        when per_unit.files_rejected > 0 then 'rejected'
        else 'missing'
    end as submission_status,
    per_unit.first_accepted_at,
    per_unit.file_in_use,
    coalesce(per_unit.files_received, 0) as files_received,
    coalesce(per_unit.files_superseded, 0) as files_superseded,
    coalesce(per_unit.files_rejected, 0) as files_rejected,
    coalesce(per_unit.rows_rejected_in_use, 0) as rows_rejected_in_use,
    per_unit.rejection_reasons
from unit_periods
left join per_unit on unit_periods.period = per_unit.period and unit_periods.unit_code = per_unit.unit_code
