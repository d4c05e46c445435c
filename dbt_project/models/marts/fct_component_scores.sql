-- Points of every component, for the province (on the period's national framework) and for
-- every reporting unit (on the province's own catalog of its type), with the value behind them.
with component_points as (

    select * from {{ ref('int_scoring__component_points') }}

),

period_components as (

    select * from {{ ref('int_catalog__period_components') }}

),

province_values as (

    select * from {{ ref('int_province__component_values') }}

),

unit_components as (

    select distinct
        unit_catalog,
        component_code,
        name_vi,
        name_en,
        unit_of_measure,
        provisional
    from {{ ref('int_catalog__unit_components') }}

),

described as (

    select
        component_points.*,
        coalesce(period_components.name_vi, unit_components.name_vi) as name_vi,
        coalesce(period_components.name_en, unit_components.name_en) as name_en,
        coalesce(period_components.unit_of_measure, unit_components.unit_of_measure) as unit_of_measure,
        period_components.indicator_key,
        coalesce(period_components.value_source, 'unit_reports') as value_source,
        period_components.responsible_unit_type,
        province_values.units_reported,
        province_values.units_responsible,
        period_components.provenance,
        -- a province row is provisional until the Ministry's appendix defines it
        coalesce(period_components.provenance <> 'official', unit_components.provisional) as provisional
    from component_points
    left join period_components
        on component_points.scope_type = 'province'
        and component_points.period = period_components.period
        and component_points.component_code = period_components.component_code
    left join province_values
        on component_points.scope_type = 'province'
        and component_points.period = province_values.period
        and component_points.component_code = province_values.component_code
    left join unit_components
        on component_points.scope_type = 'unit'
        and component_points.catalog_code = unit_components.unit_catalog
        and component_points.component_code = unit_components.component_code

)

select
    period,
    scope_type,
    scope_code,
    catalog_code,
    component_code,
    main_index_code,
    indicator_key,
    name_vi,
    name_en,
    scoring_rule,
    unit_of_measure,
    value_source,
    responsible_unit_type,
    numerator,
    denominator,
    component_value,
    target_value,
    max_points,
    points,
    -- without data the points still to win are unknown: collect the data first
    case when score_status <> 'no_data' then max_points - points end as headroom_points,
    score_status,
    no_data_reason_vi,
    no_data_reason_en,
    provenance,
    cast(units_reported as integer) as units_reported,
    cast(units_responsible as integer) as units_responsible,
    provisional
from described
