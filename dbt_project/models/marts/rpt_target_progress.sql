-- Progress on every target the province set itself (province_targets seed), each period: the
-- actual value, the target, the gap still to close, whether it is met, and the change since the
-- previous period. A rate target whose component has no data for the period has no actual
-- value and says so (collect_data_first): its gap is unknown, never the whole target.
with targets as (

    select * from {{ ref('province_targets') }}

),

province_scores as (

    select * from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

peer_rank as (

    select * from {{ ref('rpt_peer_rank') }}

),

province_components as (

    select * from {{ ref('fct_component_scores') }}
    where scope_type = 'province'

),

actuals as (

    select
        period,
        'dti_score' as metric,
        cast(null as text) as indicator_key,
        dti_score as actual_value,
        cast(null as text) as scoring_rule,
        cast(null as text) as no_data_reason_vi,
        cast(null as text) as no_data_reason_en
    from province_scores

    union all

    select
        period,
        'national_rank' as metric,
        null as indicator_key,
        cast(estimated_rank as numeric) as actual_value,
        null as scoring_rule,
        null as no_data_reason_vi,
        null as no_data_reason_en
    from peer_rank

    union all

    select
        period,
        'indicator' as metric,
        indicator_key,
        component_value,
        scoring_rule,
        no_data_reason_vi,
        no_data_reason_en
    from province_components
    where indicator_key is not null

),

periods as (

    select period from province_scores

),

progress as (

    select
        periods.period,
        targets.target_code,
        targets.name_vi,
        targets.name_en,
        targets.metric,
        targets.indicator_key,
        targets.comparison,
        targets.target_value,
        targets.target_year,
        actuals.actual_value,
        actuals.scoring_rule,
        actuals.no_data_reason_vi,
        actuals.no_data_reason_en
    from periods
    cross join targets
    left join actuals
        on periods.period = actuals.period
        and targets.metric = actuals.metric
        and targets.indicator_key is not distinct from actuals.indicator_key

)

select
    period,
    -- the DTI first, then the national rank, then the rate targets
    cast(row_number() over (
        partition by period
        order by case metric when 'dti_score' then 1 when 'national_rank' then 2 else 3 end, target_code
    ) as integer) as display_order,
    target_code,
    name_vi,
    name_en,
    metric,
    indicator_key,
    comparison,
    target_value,
    target_year,
    actual_value,
    scoring_rule,
    no_data_reason_vi is not null as collect_data_first,
    no_data_reason_vi,
    no_data_reason_en,
    -- what is still missing to reach the target, 0 once reached; unknown without an actual value
    -- (greatest() would skip the null and say 0)
    case
        when actual_value is null then null
        when comparison = 'at_least' then greatest(target_value - actual_value, 0)
        when comparison = 'at_most' then greatest(actual_value - target_value, 0)
    end as gap,
    case
        when actual_value is null then null
        when comparison = 'at_least' then actual_value >= target_value
        when comparison = 'at_most' then actual_value <= target_value
    end as is_met,
    lag(actual_value) over (partition by target_code order by period) as previous_actual_value,
    actual_value - lag(actual_value) over (partition by target_code order by period) as change_since_previous
from progress
