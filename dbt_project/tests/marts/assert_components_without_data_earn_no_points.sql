-- Returns every component row that earned points without a value, or whose status does not
-- say whether it had one (`missing`, or `awaiting` the Ministry's value).

select
    period,
    scope_type,
    scope_code,
    component_code,
    component_value,
    points,
    score_status
from {{ ref('fct_component_scores') }}
where (score_status in ('missing', 'awaiting') and points <> 0)
    or (score_status in ('missing', 'awaiting')) <> (component_value is null)
