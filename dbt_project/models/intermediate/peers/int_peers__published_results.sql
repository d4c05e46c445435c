-- The published provincial results the province is compared with (rpt_peer_rank): the rows of
-- peer_dti_results, and for a merged province a row of its own in each year in which it has no
-- published DTI but each of its former provinces has all its main-index values published. That row
-- is what the Ministry gives a merged province for such a year: the mean of its former provinces'
-- main-index values, with the DTI and pillars of that mean. It stands for the former provinces, so
-- their own rows of that year are left out: they would otherwise be peers of the province they became.
{%- set own_province_literal = "'" ~ (var('dti_peer_province_name') | replace("'", "''")) ~ "'" %}
{%- set peer_names = var('dti_former_province_peer_names', {}) %}
{%- set former_province_literals = [] %}
{%- for former_province in var('dti_former_provinces') %}
    {%- set peer_name = peer_names[former_province] if former_province in peer_names else former_province %}
    {%- set peer_name_literal = "'" ~ (peer_name | replace("'", "''")) ~ "'" %}
    {%- if peer_name_literal not in former_province_literals %}
        {%- do former_province_literals.append(peer_name_literal) %}
    {%- endif %}
{%- endfor %}
{#- A province with a single former province was not merged: it has nothing to average. -#}
{%- set merged = former_province_literals | length > 1 %}
{%- set main_index_columns = peer_main_index_columns() %}
{%- set published_columns = ["assessment_year", "province", "rank", "dti_score"] + main_index_columns
    + ["pillar_government", "pillar_economy", "pillar_society", "status", "source_url"] %}

with published as (

    select
        {{ published_columns | join(",\n        ") }}
    from {{ ref('peer_dti_results') }}

),

former_province_results as (

    select *
    from published
    {% if merged -%}
        where province in ({{ former_province_literals | join(", ") }})
    {%- else -%}
        where false
    {%- endif %}

),

former_main_index_values as (

    {{ peer_main_index_values('former_province_results') }}

),

-- a DTI only where the former province has every main-index value of the year's framework
former_dti as (

    {{ dti_from_main_index_values('former_main_index_values', ['assessment_year', 'province']) }}

),

merged_years as (

    select former_dti.assessment_year
    from former_dti
    where former_dti.dti_score is not null
        and not exists (
            select 1
            from published
            where published.assessment_year = former_dti.assessment_year
                and published.province = {{ own_province_literal }}
                and published.dti_score is not null
        )
    group by former_dti.assessment_year
    having count(*) = {{ former_province_literals | length }}

),

mean_main_index_values as (

    select
        former_main_index_values.assessment_year,
        former_main_index_values.framework_version,
        former_main_index_values.main_index_code,
        avg(former_main_index_values.index_value) as index_value
    from former_main_index_values
    inner join merged_years
        on former_main_index_values.assessment_year = merged_years.assessment_year
    group by
        former_main_index_values.assessment_year,
        former_main_index_values.framework_version,
        former_main_index_values.main_index_code

),

mean_dti as (

    {{ dti_from_main_index_values('mean_main_index_values', ['assessment_year']) }}

),

mean_pillars as (

    {{ dti_pillars_from_main_index_values('mean_main_index_values', ['assessment_year']) }}

),

mean_values as (

    select
        assessment_year,
    {%- for code in main_index_columns %}
        max(index_value) filter (where main_index_code = '{{ code }}') as {{ code }}{{ "," if not loop.last }}
    {%- endfor %}
    from mean_main_index_values
    group by assessment_year

),

former_sources as (

    select
        former_province_results.assessment_year,
        string_agg(distinct former_province_results.source_url, ' ; ' order by former_province_results.source_url)
            as source_url
    from former_province_results
    inner join merged_years
        on former_province_results.assessment_year = merged_years.assessment_year
    group by former_province_results.assessment_year

),

merged_province_results as (

    select
        merged_years.assessment_year,
        cast({{ own_province_literal }} as text) as province,
        -- a rank among the merged provinces is not computed from a mean: rpt_peer_rank estimates it
        cast(null as integer) as rank,
        -- trim_scale: an exact mean reads like the published values (0.56, not 0.56000000000000000000)
        trim_scale(mean_dti.dti_score) as dti_score,
        {%- for code in main_index_columns %}
            trim_scale(mean_values.{{ code }}) as {{ code }},
        {%- endfor %}
        trim_scale(mean_pillars.pillar_government) as pillar_government,
        trim_scale(mean_pillars.pillar_economy) as pillar_economy,
        trim_scale(mean_pillars.pillar_society) as pillar_society,
        cast('mean_of_former_provinces' as text) as status,
        former_sources.source_url
    from merged_years
    inner join mean_dti
        on merged_years.assessment_year = mean_dti.assessment_year
    inner join mean_pillars
        on merged_years.assessment_year = mean_pillars.assessment_year
    inner join mean_values
        on merged_years.assessment_year = mean_values.assessment_year
    left join former_sources
        on merged_years.assessment_year = former_sources.assessment_year

)

select
    published.{{ published_columns | join(",\n    published.") }}
from published
-- the merged province's own row (without a DTI) and its former provinces' rows give way to the mean
where
    not exists (
        select 1
        from merged_years
        where merged_years.assessment_year = published.assessment_year
            and (
                published.province = {{ own_province_literal }}
                or published.province in (select former_province_results.province from former_province_results)
            )
    )

union all

select
    {{ published_columns | join(",\n    ") }}
from merged_province_results
