-- Returns every published pillar value of a peer result that has all the main-index values of the
-- pillar and that the pillar value recomputed from them misses by more than 0.0001 (published
-- values are rounded to 4 decimals). A row without published pillars has nothing to compare.

with main_index_values as (

    {{ peer_main_index_values(ref('peer_dti_results')) }}

),

recomputed as (

    {{ dti_pillars_from_main_index_values('main_index_values', ['assessment_year', 'province']) }}

)

select
    peer_results.assessment_year,
    peer_results.province,
    pillars.pillar,
    pillars.published_value,
    pillars.recomputed_value
from {{ ref('peer_dti_results') }} as peer_results
inner join recomputed
    on peer_results.assessment_year = recomputed.assessment_year
    and peer_results.province = recomputed.province
cross join
    lateral (
        values
        ('government', peer_results.pillar_government, recomputed.pillar_government),
        ('economy', peer_results.pillar_economy, recomputed.pillar_economy),
        ('society', peer_results.pillar_society, recomputed.pillar_society)
    ) as pillars (pillar, published_value, recomputed_value)
where pillars.published_value is not null
    and pillars.recomputed_value is not null
    and abs(pillars.recomputed_value - pillars.published_value) > 0.0001
