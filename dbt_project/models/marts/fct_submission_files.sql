with files as (

    select * from {{ ref('int_submissions__files_received') }}

),

reporting_units as (

    select unit_code, name_vi, unit_type from {{ ref('reporting_units') }}

)

select
    files.period,
    files.unit_code,
    reporting_units.name_vi as unit_name_vi,
    reporting_units.unit_type,
    files.file_name,
    files.file_sha256,
    files.submitted_at,
    files.file_status,
    files.rejected_row_count,
    files.reason
from files
left join reporting_units using (unit_code)
