-- Returns every component the scoring models could not score as its catalog says: a tiered
-- component without bands, a ratio or count_capped component without a target, a province
-- component fed by unit reports whose source component no unit catalog has, a ratio fed by
-- unit reports that is not aggregated as a ratio of sums, or a categorical component fed by
-- unit reports whose value would be no share of its points: its source is not categorical, or
-- it is aggregated otherwise than as the one unit's answer (single) or the units' mean.
-- A categorical component's answers are checked by assert_categorical_components_have_their_answers.

with components as (

    select
        framework_version as catalog_code,
        component_code,
        scoring_rule,
        target_value,
        value_source,
        source_component_code,
        province_aggregation
    from {{ ref('dti_components') }}

    union all

    select
        unit_catalog,
        component_code,
        scoring_rule,
        target_value,
        null as value_source,
        null as source_component_code,
        null as province_aggregation
    from {{ ref('unit_components') }}
    where unit_catalog <> 'focal_point'

),

tiers as (

    select distinct
        catalog_code,
        component_code
    from {{ ref('dti_component_tiers') }}

),

unit_component_codes as (

    select distinct component_code from {{ ref('unit_components') }}

),

categorical_unit_component_codes as (

    select distinct component_code from {{ ref('unit_components') }}
    where scoring_rule = 'categorical'

)

select
    components.catalog_code,
    components.component_code,
    'tiered without bands' as problem
from components
left join tiers
    on components.catalog_code = tiers.catalog_code
    and components.component_code = tiers.component_code
where components.scoring_rule = 'tiered' and tiers.component_code is null

union all

select
    catalog_code,
    component_code,
    scoring_rule || ' without a target value' as problem
from components
where scoring_rule in ('ratio', 'count_capped') and coalesce(target_value, 0) <= 0

union all

select
    components.catalog_code,
    components.component_code,
    'source component ' || coalesce(components.source_component_code, '(none)') || ' unknown' as problem
from components
left join unit_component_codes
    on components.source_component_code = unit_component_codes.component_code
where components.value_source = 'unit_reports' and unit_component_codes.component_code is null

union all

select
    catalog_code,
    component_code,
    'rate from unit reports aggregated by ' || province_aggregation as problem
from components
where value_source = 'unit_reports'
    and scoring_rule = 'ratio'
    and province_aggregation not in ('ratio_of_sums', 'mean')

union all

select
    components.catalog_code,
    components.component_code,
    'categorical fed by ' || components.source_component_code
    || ' aggregated by ' || components.province_aggregation as problem
from components
left join categorical_unit_component_codes
    on components.source_component_code = categorical_unit_component_codes.component_code
where components.value_source = 'unit_reports'
    and components.scoring_rule = 'categorical'
    and (
        categorical_unit_component_codes.component_code is null
        or components.province_aggregation not in ('single', 'mean')
    )
