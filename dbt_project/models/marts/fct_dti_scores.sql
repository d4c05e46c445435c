with component_points as (

    select * from {{ ref('fct_component_points') }}

),

main_index_values as (

    select * from {{ ref('fct_main_index_values') }}

),

latest_batches as (

    select * from {{ ref('int_self_assessment__latest_batches') }}

),

reporting_units as (

    select * from {{ ref('reporting_units') }}

),

unit_component_scope as (

    select * from {{ ref('int_catalog__unit_component_scope') }}

),

scope_points as (

    select
        period,
        scope_type,
        scope_code,
        sum(points) as points,
        sum(max_points) as max_points
    from main_index_values
    group by period, scope_type, scope_code

),

scope_components as (

    select
        period,
        scope_type,
        scope_code,
        count(*) as components_in_scope,
        count(*) filter (where has_data) as components_with_data
    from component_points
    group by period, scope_type, scope_code

),

scope_scores as (

    select
        scope_points.period,
        scope_points.scope_type,
        scope_points.scope_code,
        scope_components.components_in_scope,
        scope_components.components_with_data,
        scope_points.points,
        scope_points.max_points,
        scope_points.points / nullif(scope_points.max_points, 0) as dti_score
    from scope_points
    inner join scope_components
        on scope_points.period = scope_components.period
        and scope_points.scope_type = scope_components.scope_type
        and scope_points.scope_code = scope_components.scope_code

),

province_scores as (

    select
        period,
        scope_type,
        scope_code,
        '{{ var("dti_province_name_vi") }}' as name_vi,
        'province' as unit_type,
        'computed' as submission_status,
        components_in_scope,
        components_with_data,
        points,
        max_points,
        dti_score,
        cast(null as text) as batch_id,
        cast(null as text) as file_name
    from scope_scores
    where scope_type = 'province'

),

unit_scope_totals as (

    select
        unit_code,
        count(*) as components_in_scope,
        sum(max_points) as max_points
    from unit_component_scope
    group by unit_code

),

unit_periods as (

    select
        periods.period,
        reporting_units.unit_code,
        reporting_units.name_vi,
        reporting_units.unit_type
    from (select distinct period from latest_batches) as periods
    cross join reporting_units

),

-- every reporting unit gets a row for every period, whether or not it submitted
unit_scores as (

    select
        unit_periods.period,
        'unit' as scope_type,
        unit_periods.unit_code as scope_code,
        unit_periods.name_vi,
        unit_periods.unit_type,
        case
            when latest_batches.batch_id is null then 'missing'
            else 'submitted'
        end as submission_status,
        coalesce(unit_scope_totals.components_in_scope, 0) as components_in_scope,
        coalesce(scope_scores.components_with_data, 0) as components_with_data,
        coalesce(scope_scores.points, 0) as points,
        coalesce(unit_scope_totals.max_points, 0) as max_points,
        scope_scores.dti_score,
        latest_batches.batch_id,
        latest_batches.file_name
    from unit_periods
    left join unit_scope_totals
        on unit_periods.unit_code = unit_scope_totals.unit_code
    left join latest_batches
        on unit_periods.period = latest_batches.period
        and unit_periods.unit_code = latest_batches.unit_code
    left join scope_scores
        on unit_periods.period = scope_scores.period
        and scope_scores.scope_type = 'unit'
        and unit_periods.unit_code = scope_scores.scope_code

),

scores as (

    select * from province_scores
    union all
    select * from unit_scores

)

select
    period,
    scope_type,
    scope_code,
    name_vi,
    unit_type,
    submission_status,
    cast(components_in_scope as integer) as components_in_scope,
    cast(components_with_data as integer) as components_with_data,
    points,
    cast(max_points as integer) as max_points,
    dti_score,
    case
        when submission_status = 'submitted' then cast(rank() over (
            partition by period, unit_type, submission_status
            order by dti_score desc nulls last
        ) as integer)
    end as rank_in_unit_type,
    batch_id,
    file_name
from scores
