with landed_files as (

    -- files the raw quality gate set aside are kept in raw for the record but never scored;
    -- a superseded file still counts when every later one was set aside
    select file_sha256 from {{ ref('stg_submissions__landed_files') }}
    where file_status in ('landed', 'superseded')

),

submission_rows as (

    select self_assessment_rows.*
    from {{ ref('stg_submissions__self_assessment_rows') }} as self_assessment_rows
    inner join landed_files
        on self_assessment_rows.file_sha256 = landed_files.file_sha256

),

batches as (

    select
        unit_code,
        period,
        batch_id,
        file_name,
        file_sha256,
        loaded_at,
        count(*) as row_count
    from submission_rows
    group by unit_code, period, batch_id, file_name, file_sha256, loaded_at

),

ranked as (

    select
        *,
        count(*) over (partition by unit_code, period) as batches_received,
        row_number() over (
            partition by unit_code, period
            order by loaded_at desc, batch_id desc
        ) as recency_rank
    from batches

)

select
    unit_code,
    period,
    batch_id,
    file_name,
    file_sha256,
    loaded_at,
    row_count,
    batches_received
from ranked
where recency_rank = 1
