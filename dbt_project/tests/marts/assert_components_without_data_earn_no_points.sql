-- Returns every component row that earned points without data.

select period, scope_type, scope_code, component_code, points
from {{ ref('fct_component_points') }}
where not has_data
    and points <> 0
