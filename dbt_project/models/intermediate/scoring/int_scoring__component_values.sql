-- Every component to score, province and units alike, with its value and the catalog entry
-- that says how to score it. Province components come from the period's framework (922, 405 …);
-- units' from the province's own catalogs. A unit's ratio with a denominator of 0 has no data
-- unless its catalog marks it not applicable; intake sets such a row aside with what to count
-- (dti.sources.submission_rules), so it reaches scoring only if intake let it through.
with province_values as (

    select * from {{ ref('int_province__component_values') }}

),

period_components as (

    select * from {{ ref('int_catalog__period_components') }}

),

unit_values as (

    select * from {{ ref('int_self_assessment__unit_component_values') }}

),

unit_components as (

    select * from {{ ref('int_catalog__unit_components') }}

)

select
    province_values.period,
    'province' as scope_type,
    'PROVINCE' as scope_code,
    province_values.framework_version as catalog_code,
    period_components.component_code,
    period_components.main_index_code,
    period_components.scoring_rule,
    period_components.target_value,
    period_components.max_points,
    period_components.value_source,
    province_values.numerator,
    province_values.denominator,
    province_values.component_value,
    false as is_not_applicable,
    province_values.no_data_reason_vi,
    province_values.no_data_reason_en
from province_values
inner join period_components
    on province_values.period = period_components.period
    and province_values.component_code = period_components.component_code

union all

select
    unit_values.period,
    'unit' as scope_type,
    unit_values.unit_code as scope_code,
    unit_values.unit_catalog as catalog_code,
    unit_components.component_code,
    unit_components.main_index_code,
    unit_components.scoring_rule,
    unit_components.target_value,
    unit_components.max_points,
    'unit_reports' as value_source,
    unit_values.numerator,
    unit_values.denominator,
    unit_values.component_value,
    unit_values.is_not_applicable,
    case
        when unit_values.denominator = 0 and not unit_values.is_not_applicable
            then 'mẫu số bằng 0 trong kỳ ' || unit_values.period || ': không có trường hợp nào để đo'
    end as no_data_reason_vi,
    case
        when unit_values.denominator = 0 and not unit_values.is_not_applicable
            then 'denominator of 0 in ' || unit_values.period || ': nothing to measure'
    end as no_data_reason_en
from unit_values
inner join unit_components
    on unit_values.unit_code = unit_components.unit_code
    and unit_values.unit_catalog = unit_components.unit_catalog
    and unit_values.component_code = unit_components.component_code
