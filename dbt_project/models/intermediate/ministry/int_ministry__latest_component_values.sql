-- The Ministry's value of each component for each period: of every value landed for it, the one of
-- the file landed last, so a later file replaces an earlier one component by component (a file
-- may hold only some components). Files the raw quality gate set aside are never used.
with landed_files as (

    select file_sha256
    from {{ ref('stg_submissions__landed_files') }}
    where file_status = 'landed'

),

component_values as (

    select component_values.*
    from {{ ref('stg_ministry__component_values') }} as component_values
    inner join landed_files
        on component_values.file_sha256 = landed_files.file_sha256

),

ranked as (

    select
        *,
        count(*) over (partition by period, component_code) as values_received,
        row_number() over (
            partition by period, component_code
            order by loaded_at desc, batch_id desc
        ) as recency_rank
    from component_values

)

select
    period,
    component_code,
    component_value,
    value_as_written,
    source_document,
    published_on,
    batch_id,
    file_name,
    file_sha256,
    file_row_number,
    loaded_at,
    values_received
from ranked
where recency_rank = 1
