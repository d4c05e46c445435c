-- Returns every categorical component a unit could not answer or could not earn full points on:
-- one without answers in dti_component_options, answers listed for a component not scored as
-- categorical (or for no component at all), and answers whose best share of the points is not 1.

with components as (

    select
        framework_version as catalog_code,
        component_code,
        scoring_rule
    from {{ ref('dti_components') }}

    union all

    select
        unit_catalog,
        component_code,
        scoring_rule
    from {{ ref('unit_components') }}

),

answered as (

    select
        catalog_code,
        component_code,
        max(points_share) as best_share
    from {{ ref('dti_component_options') }}
    group by catalog_code, component_code

)

select
    components.catalog_code,
    components.component_code,
    'categorical without answers' as problem
from components
left join answered
    on components.catalog_code = answered.catalog_code
    and components.component_code = answered.component_code
where components.scoring_rule = 'categorical' and answered.component_code is null

union all

select
    answered.catalog_code,
    answered.component_code,
    'answers listed for a component scored '
    || coalesce(components.scoring_rule, 'nowhere (no such component)') as problem
from answered
left join components
    on answered.catalog_code = components.catalog_code
    and answered.component_code = components.component_code
where components.scoring_rule is distinct from 'categorical'

union all

select
    catalog_code,
    component_code,
    'best answer earns a share of ' || best_share || ', not 1' as problem
from answered
where best_share <> 1
