-- The components each reporting unit answers for in the province's own assessment: its type's
-- catalog (departments, or communes and wards alike), and for the focal-point unit also the
-- province-wide facts it reports.
with units as (

    select
        unit_code,
        unit_type,
        case unit_type
            when 'department' then 'department'
            else 'commune'
        end as unit_catalog
    from {{ ref('reporting_units') }}

),

unit_catalogs as (

    select
        unit_code,
        unit_type,
        unit_catalog
    from units

    union all

    select
        unit_code,
        unit_type,
        'focal_point' as unit_catalog
    from units
    where unit_code = '{{ var("dti_focal_point_unit_code") }}'

),

components as (

    select * from {{ ref('unit_components') }}

)

select
    unit_catalogs.unit_code,
    unit_catalogs.unit_type,
    unit_catalogs.unit_catalog,
    components.component_code,
    components.main_index_code,
    components.name_vi,
    components.name_en,
    components.max_points,
    components.scoring_rule,
    components.target_value,
    components.unit_of_measure,
    components.provisional,
    coalesce(components.zero_denominator = 'not_applicable', false) as not_applicable_when_nothing_to_count
from unit_catalogs
inner join components
    on unit_catalogs.unit_catalog = components.unit_catalog
