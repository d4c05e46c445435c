-- Where the province's points are, each period: for every province component the points still
-- to win (headroom) and the DTI they would add at target, the main index it belongs to and how
-- weak that index is, who answers for it, and the smallest set of components whose closure
-- reaches the DTI target — taken greedily, largest gain first. A component without data for the
-- period comes first with no gain counted: the data must be collected before its points are known.
with province_components as (

    select * from {{ ref('fct_component_scores') }}
    where scope_type = 'province'

),

province_main_indices as (

    select * from {{ ref('fct_main_index_scores') }}
    where scope_type = 'province'

),

province_scores as (

    select * from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

dti_target as (

    select target_value from {{ ref('province_targets') }}
    where target_code = 'dti_score'

),

unit_components as (

    select * from {{ ref('fct_component_scores') }}
    where scope_type = 'unit'

),

period_components as (

    select * from {{ ref('int_catalog__period_components') }}

),

unit_names as (

    select
        period,
        scope_code,
        name_vi
    from {{ ref('fct_dti_scores') }}
    where scope_type = 'unit'

),

-- the units whose own reports feed a province component, and how many fall short of full points
responsible_units as (

    select
        period_components.period,
        period_components.component_code,
        count(*) filter (where unit_components.score_status = 'missing') as units_missing,
        count(*) filter (
            where unit_components.score_status = 'scored'
            and unit_components.points < unit_components.max_points
        ) as units_below_full_points,
        string_agg(unit_components.scope_code, ', ' order by unit_components.points, unit_components.scope_code)
        filter (where unit_components.points < unit_components.max_points) as units_short,
        array_agg(
            coalesce(unit_names.name_vi, unit_components.scope_code)
            order by unit_components.points, unit_components.scope_code
        )
        filter (where unit_components.points < unit_components.max_points) as units_short_names
    from period_components
    inner join unit_components
        on period_components.period = unit_components.period
        and period_components.source_component_code = unit_components.component_code
    left join unit_names
        on unit_components.period = unit_names.period
        and unit_components.scope_code = unit_names.scope_code
    group by period_components.period, period_components.component_code

),

main_index_weakness as (

    select
        period,
        main_index_code,
        index_value,
        cast(rank() over (partition by period order by index_value nulls last) as integer) as weakness_rank
    from province_main_indices
    where max_points > 0

),

levers as (

    select
        province_components.period,
        province_components.component_code,
        province_components.name_vi,
        province_components.name_en,
        province_components.main_index_code,
        province_main_indices.name_vi as main_index_name_vi,
        province_main_indices.name_en as main_index_name_en,
        main_index_weakness.index_value as main_index_value,
        main_index_weakness.weakness_rank as main_index_weakness_rank,
        province_components.value_source,
        province_components.responsible_unit_type,
        province_components.component_value,
        province_components.target_value,
        province_components.points,
        province_components.max_points,
        province_components.headroom_points,
        -- no gain is counted on a component without data: its points are unknown
        coalesce(province_components.headroom_points, 0) / 1000.0 as dti_gain_at_target,
        province_components.score_status,
        coalesce(province_components.score_status = 'no_data', false) as collect_data_first,
        province_components.no_data_reason_vi,
        province_components.no_data_reason_en,
        coalesce(responsible_units.units_missing, 0) as units_missing,
        coalesce(responsible_units.units_below_full_points, 0) as units_below_full_points,
        responsible_units.units_short,
        responsible_units.units_short_names,
        province_scores.dti_score as current_dti_score,
        greatest((select dti_target.target_value from dti_target) - province_scores.dti_score, 0) as dti_gap_to_target
    from province_components
    inner join province_scores
        on province_components.period = province_scores.period
    left join province_main_indices
        on province_components.period = province_main_indices.period
        and province_components.main_index_code = province_main_indices.main_index_code
    left join main_index_weakness
        on province_components.period = main_index_weakness.period
        and province_components.main_index_code = main_index_weakness.main_index_code
    left join responsible_units
        on province_components.period = responsible_units.period
        and province_components.component_code = responsible_units.component_code
    where province_components.max_points > 0

),

ranked as (

    select
        *,
        cast(row_number() over (
            partition by period
            order by collect_data_first desc, dti_gain_at_target desc, main_index_weakness_rank asc, component_code asc
        ) as integer) as lever_rank,
        sum(dti_gain_at_target) over (
            partition by period
            order by collect_data_first desc, dti_gain_at_target desc, main_index_weakness_rank asc, component_code asc
            rows between unbounded preceding and current row
        ) as cumulative_dti_gain
    from levers

)

select
    *,
    -- in the set while the gains before it have not yet closed the gap to the target
    (
        dti_gap_to_target > 0
        and cumulative_dti_gain - dti_gain_at_target < dti_gap_to_target
        and dti_gain_at_target > 0
    ) as closes_gap_to_target
from ranked
