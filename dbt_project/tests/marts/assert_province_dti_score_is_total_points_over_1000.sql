-- Returns every period whose provincial DTI is not the province's component points / 1000,
-- the Ministry's formula, recomputed here from fct_component_scores.

with province_scores as (

    select period, max_points, dti_score
    from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

province_points as (

    select period, sum(points) as total_points
    from {{ ref('fct_component_scores') }}
    where scope_type = 'province'
    group by period

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
