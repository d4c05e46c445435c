with province_component_values as (

    select * from {{ ref('int_self_assessment__province_component_values') }}

),

unit_component_values as (

    select * from {{ ref('int_self_assessment__unit_component_values') }}

),

components as (

    select * from {{ ref('int_catalog__active_components') }}

),

component_values as (

    select
        period,
        'province' as scope_type,
        'PROVINCE' as scope_code,
        component_code,
        numerator,
        denominator
    from province_component_values

    union all

    select
        period,
        'unit' as scope_type,
        unit_code as scope_code,
        component_code,
        numerator,
        denominator
    from unit_component_values

),

rated as (

    select
        component_values.*,
        components.main_index_code,
        components.scoring_rule,
        components.target_rate,
        components.max_points,
        case components.scoring_rule
            when 'ratio' then {{ score_ratio_rate('component_values.numerator', 'component_values.denominator') }}
        end as achieved_rate
    from component_values
    inner join components
        on component_values.component_code = components.component_code

),

scored as (

    select
        *,
        case scoring_rule
            when 'ratio' then {{ score_ratio_points('achieved_rate', 'target_rate', 'max_points') }}
        end as points,
        achieved_rate is not null as has_data
    from rated

)

select
    period,
    scope_type,
    scope_code,
    component_code,
    main_index_code,
    numerator,
    denominator,
    achieved_rate,
    target_rate,
    max_points,
    points,
    has_data
from scored
