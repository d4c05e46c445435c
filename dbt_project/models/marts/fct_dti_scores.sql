-- The DTI of each period for the province (on the national framework) and for every reporting
-- unit (on the province's own catalog): points ÷ max points, with grade, change against the
-- previous period and rank. A unit that sent nothing usable scores 0 and is flagged by its
-- submission status; it is never left out.
with main_index_scores as (

    select * from {{ ref('fct_main_index_scores') }}

),

component_scores as (

    select * from {{ ref('fct_component_scores') }}

),

periods as (

    select * from {{ ref('int_catalog__periods') }}

),

submission_status as (

    select * from {{ ref('fct_submission_status') }}

),

reporting_units as (

    select * from {{ ref('reporting_units') }}

),

grade_bands as (

    select * from {{ ref('grade_bands') }}

),

province_main_index_values as (

    select period, catalog_code as framework_version, main_index_code, index_value
    from main_index_scores
    where scope_type = 'province'

),

-- the Ministry's formula, written once (macros/dti_from_main_index_values.sql): what-if and the
-- peer check use the same
province_dti as (

    {{ dti_from_main_index_values('province_main_index_values', ['period']) }}

),

scope_points as (

    select
        period,
        scope_type,
        scope_code,
        min(catalog_code) as catalog_code,
        sum(points) as points,
        sum(max_points) as max_points
    from main_index_scores
    group by period, scope_type, scope_code

),

scope_components as (

    select
        period,
        scope_type,
        scope_code,
        count(*) filter (where main_index_code is not null) as components_in_scope,
        count(*) filter (where main_index_code is not null and score_status = 'missing') as components_missing
    from component_scores
    group by period, scope_type, scope_code

),

scores as (

    select
        scope_points.period,
        periods.assessment_year,
        scope_points.scope_type,
        scope_points.scope_code,
        scope_points.catalog_code,
        case
            when scope_points.scope_type = 'province' then '{{ var("dti_province_name_vi") }}'
            else reporting_units.name_vi
        end as name_vi,
        coalesce(reporting_units.unit_type, 'province') as unit_type,
        case
            when reporting_units.unit_type = 'department' then 'department'
            when reporting_units.unit_type in ('commune', 'ward') then 'commune'
        end as ranking_group,
        coalesce(submission_status.submission_status, 'computed') as submission_status,
        scope_components.components_in_scope,
        scope_components.components_missing,
        scope_points.points,
        scope_points.max_points,
        case
            when scope_points.scope_type = 'province' then province_dti.dti_score
            -- a unit's own catalog is not a national framework: its points out of its 1000
            else scope_points.points / nullif(scope_points.max_points, 0)
        end as dti_score
    from scope_points
    inner join periods
        on scope_points.period = periods.period
    inner join scope_components
        on scope_points.period = scope_components.period
        and scope_points.scope_type = scope_components.scope_type
        and scope_points.scope_code = scope_components.scope_code
    left join reporting_units
        on scope_points.scope_type = 'unit'
        and scope_points.scope_code = reporting_units.unit_code
    left join province_dti
        on scope_points.scope_type = 'province'
        and scope_points.period = province_dti.period
    left join submission_status
        on scope_points.scope_type = 'unit'
        and scope_points.period = submission_status.period
        and scope_points.scope_code = submission_status.unit_code

),

compared as (

    select
        *,
        lag(period) over scope_history as previous_period,
        lag(dti_score) over scope_history as previous_dti_score
    from scores
    window scope_history as (partition by scope_type, scope_code order by period)

)

select
    compared.period,
    compared.assessment_year,
    compared.scope_type,
    compared.scope_code,
    compared.catalog_code,
    compared.name_vi,
    compared.unit_type,
    compared.ranking_group,
    compared.submission_status,
    cast(compared.components_in_scope as integer) as components_in_scope,
    cast(compared.components_missing as integer) as components_missing,
    compared.points,
    cast(compared.max_points as integer) as max_points,
    compared.dti_score,
    grade_bands.grade_code,
    grade_bands.grade_vi,
    compared.previous_period,
    compared.previous_dti_score,
    compared.dti_score - compared.previous_dti_score as dti_change,
    case
        when compared.ranking_group is not null then cast(rank() over (
            partition by compared.period, compared.ranking_group
            order by compared.dti_score desc
        ) as integer)
    end as rank_in_group
from compared
left join grade_bands
    on compared.dti_score >= grade_bands.min_score
    and compared.dti_score < grade_bands.max_score
