-- Returns every framework or main index whose catalog contradicts the official structure
-- (dti_framework_versions, dti_main_indices): more components standing for official ones
-- (official rows and provincial proxies) than the decision defines, in a main index where its
-- count is verified or in the whole framework; official points beyond a main index's maximum;
-- per-main-index counts that do not add up to the framework's; or main indices whose points do
-- not add up to the framework's total.

with components as (

    select
        framework_version,
        main_index_code,
        count(*) filter (where provenance in ('official', 'provincial_proxy')) as standing_for_official,
        count(*) filter (where provenance = 'official') as official_rows,
        coalesce(sum(max_points) filter (where provenance = 'official'), 0) as official_points
    from {{ ref('dti_components') }}
    group by framework_version, main_index_code

),

main_indices as (

    select * from {{ ref('dti_main_indices') }}

),

frameworks as (

    select * from {{ ref('dti_framework_versions') }}

),

main_index_problems as (

    select
        main_indices.framework_version,
        main_indices.main_index_code,
        case
            when components.standing_for_official > main_indices.official_component_count
                then 'more components than the decision defines in the main index'
            when components.official_points > main_indices.max_points
                then 'official points beyond the main index maximum'
        end as problem
    from main_indices
    inner join components
        on main_indices.framework_version = components.framework_version
        and main_indices.main_index_code = components.main_index_code

),

framework_problems as (

    select
        frameworks.framework_version,
        cast(null as text) as main_index_code,
        case
            when sum(components.standing_for_official) > max(frameworks.official_component_count)
                then 'more components than the decision defines'
            when bool_and(main_indices.official_component_count is not null)
                and sum(main_indices.official_component_count) <> max(frameworks.official_component_count)
                then 'the component counts of the main indices do not add up to the framework count'
            when sum(main_indices.max_points) <> max(frameworks.official_total_points)
                then 'the main indices do not add up to the framework total points'
        end as problem
    from frameworks
    inner join main_indices
        on frameworks.framework_version = main_indices.framework_version
    left join components
        on main_indices.framework_version = components.framework_version
        and main_indices.main_index_code = components.main_index_code
    group by frameworks.framework_version

)

select * from main_index_problems
where problem is not null
union all
select * from framework_problems
where problem is not null
