-- What each unit reported for each component it answers for, from its latest usable
-- submission of the period. A component the unit left out, or a unit that sent nothing usable,
-- has a row with no value: it is scored 0 and flagged, never dropped or imputed.
with periods as (

    select period from {{ ref('int_catalog__periods') }}

),

unit_components as (

    select * from {{ ref('int_catalog__unit_components') }}

),

latest_batches as (

    select * from {{ ref('int_self_assessment__latest_batches') }}

),

submission_rows as (

    select * from {{ ref('stg_submissions__self_assessment_rows') }}

)

select
    periods.period,
    unit_components.unit_code,
    unit_components.unit_catalog,
    unit_components.component_code,
    unit_components.scoring_rule,
    submission_rows.numerator,
    submission_rows.denominator,
    submission_rows.reported_value,
    case
        when unit_components.scoring_rule = 'ratio'
            then submission_rows.numerator / nullif(submission_rows.denominator, 0)
        else submission_rows.reported_value
    end as component_value,
    -- 0 ÷ 0 where the catalog says the component does not apply to a unit with nothing to count
    coalesce(
        unit_components.not_applicable_when_nothing_to_count
        and unit_components.scoring_rule = 'ratio'
        and submission_rows.numerator = 0
        and submission_rows.denominator = 0,
        false
    ) as is_not_applicable,
    submission_rows.evidence_document,
    latest_batches.batch_id,
    submission_rows.file_sha256,
    submission_rows.file_row_number
from periods
cross join unit_components
left join latest_batches
    on periods.period = latest_batches.period
    and unit_components.unit_code = latest_batches.unit_code
left join submission_rows
    on latest_batches.batch_id = submission_rows.batch_id
    and latest_batches.unit_code = submission_rows.unit_code
    and latest_batches.period = submission_rows.period
    and unit_components.component_code = submission_rows.component_code
