with latest_batches as (

    select * from {{ ref('int_self_assessment__latest_batches') }}

),

submission_rows as (

    select * from {{ ref('stg_submissions__self_assessment_rows') }}

),

unit_component_scope as (

    select * from {{ ref('int_catalog__unit_component_scope') }}

)

select
    latest_batches.period,
    latest_batches.unit_code,
    unit_component_scope.component_code,
    submission_rows.numerator,
    submission_rows.denominator,
    latest_batches.batch_id
from latest_batches
inner join unit_component_scope
    on latest_batches.unit_code = unit_component_scope.unit_code
left join submission_rows
    on latest_batches.batch_id = submission_rows.batch_id
    and latest_batches.unit_code = submission_rows.unit_code
    and latest_batches.period = submission_rows.period
    and unit_component_scope.component_code = submission_rows.component_code
