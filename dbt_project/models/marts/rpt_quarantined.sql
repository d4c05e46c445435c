-- What was set aside each period, whole files and single rows, each with the reason a unit can
-- act on: what landing and the raw quality gate quarantined, as the report lists it.
with rejected_files as (

    select * from {{ ref('stg_quarantine__rejected_files') }}

),

rejected_rows as (

    select * from {{ ref('stg_quarantine__rejected_rows') }}

),

landed_files as (

    select * from {{ ref('stg_submissions__landed_files') }}

)

select
    period,
    file_name,
    unit_code_hint as unit_code,
    cast(null as integer) as file_row_number,
    cast(null as text) as column_name,
    reason
from rejected_files

union all

select
    landed_files.period,
    rejected_rows.file_name,
    rejected_rows.unit_code,
    rejected_rows.file_row_number,
    rejected_rows.column_name,
    rejected_rows.reason
from rejected_rows
inner join landed_files
    on rejected_rows.file_sha256 = landed_files.file_sha256
