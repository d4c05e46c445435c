-- Every self-assessment file received for a period, whether its rows are in use, were replaced by
-- a later file, or were set aside, with the reason when they were.
with landed_files as (

    select * from {{ ref('stg_submissions__landed_files') }}
    where source_kind = 'self_assessment_submission'

),

rejected_files as (

    select * from {{ ref('stg_quarantine__rejected_files') }}
    where source_kind = 'self_assessment_submission'

),

batches_in_use as (

    select file_sha256 from {{ ref('int_self_assessment__latest_batches') }}

),

reporting_units as (

    select unit_code from {{ ref('reporting_units') }}

),

readable as (

    select
        landed_files.period,
        landed_files.unit_code,
        landed_files.file_name,
        landed_files.file_sha256,
        coalesce(landed_files.submitted_at, landed_files.received_at) as submitted_at,
        case
            when batches_in_use.file_sha256 is not null then 'in_use'
            when landed_files.file_status = 'quarantined' then 'rejected'
            else 'superseded'
        end as file_status,
        landed_files.rejected_row_count,
        rejected_files.reason
    from landed_files
    left join batches_in_use
        on landed_files.file_sha256 = batches_in_use.file_sha256
    left join rejected_files
        on landed_files.file_sha256 = rejected_files.file_sha256

),

unreadable as (

    -- never landed: the file name is the only clue to the unit, trusted only when it is a known code
    select
        rejected_files.period,
        reporting_units.unit_code,
        rejected_files.file_name,
        rejected_files.file_sha256,
        coalesce(rejected_files.submitted_at, rejected_files.quarantined_at) as submitted_at,
        'rejected' as file_status,
        0 as rejected_row_count,
        rejected_files.reason
    from rejected_files
    left join reporting_units on rejected_files.unit_code_hint = reporting_units.unit_code
    where rejected_files.file_sha256 not in (select landed_files.file_sha256 from landed_files)

)

select * from readable
union all
select * from unreadable
