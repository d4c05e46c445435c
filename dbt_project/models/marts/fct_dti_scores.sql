-- The DTI of each period for the province (on the national framework) and for every reporting
-- unit (on the province's own catalog): points ÷ max points, with change against the previous
-- period and rank. A unit that sent nothing usable scores 0 and is flagged by its submission
-- status; it is never left out. Units get the grade of the province's own scale (grade_bands);
-- the province's DTI gets none unless the deployment sets `dti_grade_province` (the Ministry
-- publishes values and ranks, no grades). The province's DTI is an estimate with a coverage and
-- a range whenever the official framework is not fully measured by its own definitions.
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

frameworks as (

    select * from {{ ref('dti_framework_versions') }}

),

province_main_index_values as (

    select
        period,
        catalog_code as framework_version,
        main_index_code,
        index_value
    from main_index_scores
    where scope_type = 'province'

),

-- both ends of each main index's range, as values the same formula takes
province_main_index_bounds as (

    select
        main_index_scores.period,
        bounds.bound,
        main_index_scores.catalog_code as framework_version,
        main_index_scores.main_index_code,
        bounds.index_value
    from main_index_scores
    cross join
        lateral (
            values
            ('lowest', main_index_scores.index_value_lowest),
            ('highest', main_index_scores.index_value_highest)
        ) as bounds (bound, index_value)
    where main_index_scores.scope_type = 'province'

),

-- the Ministry's formula, written once (macros/dti_from_main_index_values.sql): what-if and the
-- peer check use the same, and so do the range's bounds and the pillars
province_dti as (

    {{ dti_from_main_index_values('province_main_index_values', ['period']) }}

),

province_dti_bounds as (

    {{ dti_from_main_index_values('province_main_index_bounds', ['period', 'bound']) }}

),

province_pillars as (

    {{ dti_pillars_from_main_index_values('province_main_index_values', ['period']) }}

),

province_coverage as (

    select
        main_index_scores.period,
        max(frameworks.official_component_count) as official_component_count,
        sum(main_index_scores.components_official_measured) as components_official_measured,
        sum(main_index_scores.components_proxy_measured) as components_proxy_measured,
        sum(main_index_scores.components_awaiting) as components_awaiting
    from main_index_scores
    inner join frameworks
        on main_index_scores.catalog_code = frameworks.framework_version
    where main_index_scores.scope_type = 'province'
    group by main_index_scores.period

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
        count(*) filter (where main_index_code is not null and score_status = 'missing') as components_missing,
        count(*) filter (where main_index_code is not null and score_status = 'no_data') as components_no_data
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
        scope_components.components_no_data,
        scope_points.points,
        scope_points.max_points,
        case
            when scope_points.scope_type = 'province' then province_dti.dti_score
            -- a unit's own catalog is not a national framework: its points out of its 1000
            else scope_points.points / nullif(scope_points.max_points, 0)
        end as dti_score,
        province_dti_lowest.dti_score as dti_score_lowest,
        province_dti_highest.dti_score as dti_score_highest,
        province_pillars.pillar_government,
        province_pillars.pillar_economy,
        province_pillars.pillar_society,
        province_coverage.official_component_count,
        province_coverage.components_official_measured,
        province_coverage.components_proxy_measured,
        province_coverage.components_awaiting
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
    left join province_dti_bounds as province_dti_lowest
        on scope_points.scope_type = 'province'
        and scope_points.period = province_dti_lowest.period
        and province_dti_lowest.bound = 'lowest'
    left join province_dti_bounds as province_dti_highest
        on scope_points.scope_type = 'province'
        and scope_points.period = province_dti_highest.period
        and province_dti_highest.bound = 'highest'
    left join province_pillars
        on scope_points.scope_type = 'province'
        and scope_points.period = province_pillars.period
    left join province_coverage
        on scope_points.scope_type = 'province'
        and scope_points.period = province_coverage.period
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
    cast(compared.components_no_data as integer) as components_no_data,
    compared.points,
    cast(compared.max_points as integer) as max_points,
    compared.dti_score,
    compared.dti_score_lowest,
    compared.dti_score_highest,
    compared.pillar_government,
    compared.pillar_economy,
    compared.pillar_society,
    cast(compared.official_component_count as integer) as official_component_count,
    cast(compared.components_official_measured + compared.components_proxy_measured as integer)
        as components_measured,
    cast(compared.components_official_measured as integer) as components_official_measured,
    cast(compared.components_proxy_measured as integer) as components_proxy_measured,
    cast(compared.components_awaiting as integer) as components_awaiting,
    cast(compared.components_official_measured + compared.components_proxy_measured as numeric)
    / nullif(compared.official_component_count, 0) as official_coverage,
    -- an estimate unless every official component is measured by its own official definition
    case
        when compared.scope_type = 'province'
            then coalesce(compared.components_official_measured < compared.official_component_count, true)
    end as is_estimate,
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
    on (compared.scope_type = 'unit' or {{ var('dti_grade_province', false) }})
    and compared.dti_score >= grade_bands.min_score
    and compared.dti_score < grade_bands.max_score
