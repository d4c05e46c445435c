with units as (

    select
        unit_code,
        unit_type,
        -- communes and wards report the same components
        case unit_type
            when 'department' then 'department'
            when 'commune' then 'commune'
            when 'ward' then 'commune'
        end as reporting_level
    from {{ ref('reporting_units') }}

),

components as (

    select * from {{ ref('int_catalog__active_components') }}

)

select
    units.unit_code,
    units.unit_type,
    components.component_code,
    components.main_index_code,
    components.max_points
from units
inner join components
    on components.reported_by in ('all', units.reporting_level)
