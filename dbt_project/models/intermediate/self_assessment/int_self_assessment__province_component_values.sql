with unit_component_values as (

    select * from {{ ref('int_self_assessment__unit_component_values') }}

),

components as (

    select * from {{ ref('int_catalog__active_components') }}

),

periods as (

    select distinct period from {{ ref('int_self_assessment__latest_batches') }}

),

reported as (

    select
        period,
        component_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(*) as units_reported
    from unit_component_values
    where numerator is not null
        and denominator is not null
    group by period, component_code

)

select
    periods.period,
    components.component_code,
    reported.numerator,
    reported.denominator,
    coalesce(reported.units_reported, 0) as units_reported
from periods
cross join components
left join reported
    on periods.period = reported.period
    and components.component_code = reported.component_code
