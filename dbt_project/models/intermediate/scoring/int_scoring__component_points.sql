-- Points of every component, by the rule its catalog names (macros/scoring_rules.sql). A unit's
-- ratio of 0 ÷ 0 that its catalog marks not applicable keeps the maximum, flagged `not_applicable`. A
-- component without a value earns 0 points and is flagged `missing`, except one the Ministry
-- measures: until its value arrives it is `awaiting` (chờ Bộ đánh giá), and its main index is
-- valued on the components measured (fct_main_index_scores), not with a 0 for it. A component
-- whose source delivered nothing for the period or whose denominator is 0 is `no_data`, with its
-- reason: like `awaiting`, it is not measured, so its 0 points never enter the estimate.
with component_values as (

    select * from {{ ref('int_scoring__component_values') }}

),

tiers as (

    select * from {{ ref('dti_component_tiers') }}

),

with_tier_points as (

    select
        component_values.*,
        (
            select max(tiers.points)
            from tiers
            where tiers.catalog_code = component_values.catalog_code
                and tiers.component_code = component_values.component_code
                and tiers.min_value <= component_values.component_value
        ) as tier_points
    from component_values

)

select
    period,
    scope_type,
    scope_code,
    catalog_code,
    component_code,
    main_index_code,
    scoring_rule,
    target_value,
    max_points,
    numerator,
    denominator,
    case when no_data_reason_vi is null then component_value end as component_value,
    -- points are sums of fractions of a few hundred: double precision carries them exactly enough
    case
        -- a component that does not apply to the unit leaves it its maximum
        when is_not_applicable then cast(max_points as double precision)
        when no_data_reason_vi is not null then cast(0 as double precision)
        else cast(
                {{ score_component('scoring_rule', 'component_value', 'target_value', 'max_points', 'tier_points') }}
                as double precision
            )
    end as points,
    case
        when is_not_applicable then 'not_applicable'
        when no_data_reason_vi is not null then 'no_data'
        when component_value is not null then 'scored'
        when value_source = 'ministry' then 'awaiting'
        else 'missing'
    end as score_status,
    no_data_reason_vi,
    no_data_reason_en
from with_tier_points
