-- The kinds of source the province's score of each period rests on, with how many files (or API
-- pages) entered it and when the last of them arrived: the report's "data as of" line.
with province_trace as (

    select * from {{ ref('rpt_score_trace') }}
    where scope_type = 'province'
        and value_source is not null

)

select
    period,
    value_source,
    cast(count(distinct file_name) as integer) as files,
    max(loaded_at) as last_loaded_at
from province_trace
group by period, value_source
