-- What each unit's feedback letter asks it to fix, one row per problem in the order the letter
-- lists them. Only what is still open counts: the file in use with the rows set aside from it, and
-- every file set aside whole that no accepted file followed (a unit that sent a usable file after a
-- refused one has answered the refusal). Files a later file replaced are left out. The focal point
-- writes the letters, and not to itself.
with files as (

    select * from {{ ref('int_submissions__files_received') }}
    where
        unit_code is not null
        and unit_code <> '{{ var("dti_focal_point_unit_code") }}'

),

rejected_rows as (

    select * from {{ ref('stg_quarantine__rejected_rows') }}

),

last_accepted as (

    select
        period,
        unit_code,
        max(submitted_at) as last_accepted_at
    from files
    where file_status <> 'rejected'
    group by period, unit_code

),

open_files as (

    select files.*
    from files
    left join last_accepted
        on files.period = last_accepted.period
        and files.unit_code = last_accepted.unit_code
    where
        files.file_status = 'in_use'
        or (
            files.file_status = 'rejected'
            and (last_accepted.last_accepted_at is null or files.submitted_at > last_accepted.last_accepted_at)
        )

),

problems as (

    select
        period,
        unit_code,
        file_name,
        submitted_at,
        'file_rejected' as problem_kind,
        cast(null as integer) as file_row_number,
        cast(null as text) as column_name,
        reason,
        cast(null as bigint) as rejected_row_id
    from open_files
    where file_status = 'rejected'

    union all

    select
        open_files.period,
        open_files.unit_code,
        open_files.file_name,
        open_files.submitted_at,
        'row_set_aside' as problem_kind,
        rejected_rows.file_row_number,
        rejected_rows.column_name,
        rejected_rows.reason,
        rejected_rows.rejected_row_id
    from open_files
    inner join rejected_rows
        on open_files.file_sha256 = rejected_rows.file_sha256

)

select
    period,
    unit_code,
    -- file by file as they arrived; within a file the whole-file reason first, then row by row in
    -- the order landing found the problems (the template's column order)
    cast(row_number() over (
        partition by period, unit_code
        order by submitted_at, file_name, file_row_number nulls first, rejected_row_id
    ) as integer) as problem_order,
    problem_kind,
    file_name,
    file_row_number,
    column_name,
    reason
from problems
