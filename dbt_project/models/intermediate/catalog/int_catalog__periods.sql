-- Every assessment period the warehouse holds data for, with the framework that scores it: the
-- version whose years cover the period's year, so a new year's catalog needs no code change.
with periods as (

    select distinct period
    from {{ ref('stg_submissions__landed_files') }}
    where period is not null

)

select
    periods.period,
    cast(left(periods.period, 4) as integer) as assessment_year,
    {{ period_start_date('periods.period') }} as period_start,
    {{ period_end_date('periods.period') }} as period_end,
    {{ dti_framework_version_for_year('cast(left(periods.period, 4) as integer)') }} as framework_version
from periods
