-- Returns every component row that earned points without a value, or whose status does not
-- say whether it had one (`missing`, `awaiting` the Ministry's value, `no_data` with nothing to
-- measure, which must say why, or `not_applicable`: a unit's 0 ÷ 0 its catalog marks so, which
-- keeps the component's maximum).

select
    period,
    scope_type,
    scope_code,
    component_code,
    component_value,
    points,
    score_status
from {{ ref('fct_component_scores') }}
where (score_status in ('missing', 'awaiting', 'no_data') and points <> 0)
    or (score_status = 'not_applicable' and points <> max_points)
    or (score_status in ('missing', 'awaiting', 'no_data', 'not_applicable')) <> (component_value is null)
    or (score_status = 'no_data') <> (no_data_reason_vi is not null and no_data_reason_en is not null)
