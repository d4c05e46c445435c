-- Returns every period whose provincial DTI is not the Ministry's formula recomputed here from
-- fct_component_scores: each main index's points over the maximum of its components measured
-- (a component awaiting the Ministry's value or without data is left out), times the main index's maximum,
-- summed and divided by 1000. With nothing awaiting, that is the component points / 1000.
-- A unit's DTI (its points / its 1000) is the marts quality gate's check (include/dti/quality/suites.py).

with province_scores as (

    select
        period,
        max_points,
        dti_score
    from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

main_indices as (

    select
        period,
        main_index_code,
        max_points
    from {{ ref('fct_main_index_scores') }}
    where scope_type = 'province'

),

measured as (

    select
        period,
        main_index_code,
        sum(points) filter (where score_status not in ('awaiting', 'no_data')) as points,
        sum(max_points) filter (where score_status not in ('awaiting', 'no_data')) as max_points
    from {{ ref('fct_component_scores') }}
    where scope_type = 'province'
    group by period, main_index_code

),

province_points as (

    select
        main_indices.period,
        sum(coalesce(measured.points / nullif(measured.max_points, 0), 0) * main_indices.max_points)
            as total_points
    from main_indices
    left join measured
        on main_indices.period = measured.period
        and main_indices.main_index_code = measured.main_index_code
    group by main_indices.period

)

select
    coalesce(province_scores.period, province_points.period) as period,
    province_scores.max_points,
    province_scores.dti_score,
    province_points.total_points / 1000 as expected_dti_score
from province_scores
full outer join province_points
    on province_scores.period = province_points.period
where province_scores.period is null
    or province_points.period is null
    or province_scores.max_points <> 1000
    or abs(province_scores.dti_score - province_points.total_points / 1000) > 0.0000001
